"""Our Comware diff engine (agent/fleet/configdiff.py) against hier_config and netutils.

For each scenario (a running configuration and an intent), each engine produces the commands
that should bring the device to the intent. They are then typed into the real device model
(``system-view`` ... ``return``), and the result is judged: how many commands, how many the
device rejected, whether the device then holds the intent (our engine's own check, which knows
Comware's covering rules), whether a second run of the same engine would send nothing
(idempotence), and how long one diff takes.

    .venv/bin/python bench/configdiff_peers.py

hier_config (Platform.HP_COMWARE5) and netutils (``diff_network_config``, parser hp_comware) are
the two public libraries with Comware support; neither is a project dependency, so install them
first (``.venv/bin/pip install hier_config netutils``). Both need the same small preparation of a
``display current-configuration`` text, written here: ``#`` and ``return`` lines dropped (hier_config
refuses the repeated ``#`` as a duplicate section) and global lines, which Comware indents by one
space under no header, brought to column 0.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.device.device import Device  # noqa: E402
from agent.family import load_device  # noqa: E402
from agent.fleet.configdiff import diff, parse_config  # noqa: E402
from agent.fleet.inventory import Host  # noqa: E402
from agent.fleet.templates import Renderer  # noqa: E402
from agent.profiles import load_profile  # noqa: E402
from agent.profiles.model import LabUser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "device_profiles" / "3com-s7906e.yaml"

BASE = [  # a device as an engineer left it: things the intents below will change
    "vlan 20", "name old-voice", "quit",
    "interface GigabitEthernet2/0/1", "description old text", "port link-type trunk",
    "port trunk permit vlan 1 20", "quit",
    "snmp-agent community read public", "snmp-agent community read ro2",
]
README_INTENT = """\
vlan 10
 name users
#
vlan 20
 name voice
#
local-user admin
 service-type ssh
#
interface GigabitEthernet2/0/1
 description uplink
 port link-type trunk
 port trunk permit vlan 10
#
 snmp-agent community read lab-ro
"""


def _templates_intent() -> str:
    host = Host("SW-1", "127.0.0.1", 22, "admin", "hp_comware", [], {"ssh1_only": False})
    return Renderer([ROOT / "templates"], {"ops_password": "Ops-pass-1"}).render(host, 0)


def prepare(text: str) -> str:
    """``display current-configuration`` layout -> the indentation-only layout both libraries read."""
    out, in_global = [], True
    for line in text.splitlines():
        if line.strip() in ("#", "return", ""):
            in_global = True
            continue
        if not line.startswith(" "):
            in_global = False
            out.append(line)
            continue
        out.append(line[1:] if in_global else line)
    return "\n".join(out) + "\n"


def ours(running: str, intent: str) -> list[str]:
    return diff(parse_config(intent), parse_config(running)).commands()


def hier_config(running: str, intent: str) -> list[str]:
    from hier_config import Platform, WorkflowRemediation, get_hconfig

    remediation = WorkflowRemediation(get_hconfig(Platform.HP_COMWARE5, prepare(running)),
                                      get_hconfig(Platform.HP_COMWARE5, prepare(intent)))
    return _with_views(list(remediation.remediation_config.dump_simple()))


def netutils(running: str, intent: str) -> list[str]:
    from netutils.config.compliance import diff_network_config

    return _with_views(diff_network_config(intent, running, "hp_comware").splitlines())


def _with_views(lines: list[str]) -> list[str]:
    """Indented lines as a push types them: a header opens a view, ``quit`` leaves it."""
    commands, inside = [], False
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" ") and inside:
            commands.append("quit")
            inside = False
        if line.startswith(" "):
            inside = True
        commands.append(line.strip())
    if inside:
        commands.append("quit")
    return commands


ENGINES: dict[str, Callable[[str, str], list[str]]] = {"switch-agent": ours, "hier_config": hier_config,
                                                        "netutils": netutils}


def _device(folder: Path) -> Device:
    device = load_device(load_profile(PROFILE), folder, [LabUser(name="admin", password="Adm-pass-1", level=3)])
    _type(device, BASE)
    return device


def _type(device: Device, commands: list[str]) -> int:
    """Type ``commands`` in system view; return how many the device rejected."""
    session = device.open_cli("admin", 3, interactive=False)
    rejected = 0
    for line in ["system-view", *commands, "return"]:
        output, _ = session.execute(line)
        if b"% " in output or b"Error" in output:
            rejected += 1
    return rejected


def run() -> None:
    scenarios = {"README intent": README_INTENT, "shipped templates": _templates_intent()}
    print(f"{'scenario':<18} {'engine':<13} {'commands':>8} {'rejected':>8} {'converged':>9} "
          f"{'2nd run':>8} {'us/diff':>8}  undo lines the intent did not ask for")
    with tempfile.TemporaryDirectory() as tmp:
        for label, intent in scenarios.items():
            for index, (name, engine) in enumerate(ENGINES.items()):
                device = _device(Path(tmp) / f"{label}-{index}".replace(" ", "-"))
                running = device.render_configuration()
                commands = engine(running, intent)
                started, rounds = time.perf_counter(), 200
                for _ in range(rounds):
                    engine(running, intent)
                micros = (time.perf_counter() - started) / rounds * 1e6
                rejected = _type(device, commands)
                after = device.render_configuration()
                converged = diff(parse_config(intent), parse_config(after)).empty
                again = len(engine(after, intent))
                # undo lines the intent never asked for: what a merge push must not send
                asked = {line.strip() for line in intent.splitlines()}
                risky = [c for c in commands if c.startswith("undo") and c not in asked]
                print(f"{label:<18} {name:<13} {len(commands):>8} {rejected:>8} {converged!s:>9} "
                      f"{again:>8} {micros:>8.0f}  {len(risky)}: {'; '.join(risky[:3])}")


if __name__ == "__main__":
    run()
