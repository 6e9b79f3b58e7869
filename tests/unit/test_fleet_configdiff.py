"""The config diff engine: merge, replace, idempotence, volatile lines, against a real device model."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.fleet.configdiff import (
    config_delta,
    diff,
    parse_config,
    render_delta,
    vlan_items,
    vlan_set,
)
from tests.helpers import make_device

RUNNING = """\
#
 version 5.20, Release 6616P01
#
 sysname SW1
#
vlan 1
#
vlan 20
 name old-voice
#
local-user admin
 password cipher $h$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
 authorization-attribute level 3
 service-type ssh telnet terminal
#
interface GigabitEthernet2/0/1
 description old text
 port link-type trunk
 port trunk permit vlan 1 10 20
#
 snmp-agent
 snmp-agent community read public
 snmp-agent community read ro2
#
 ssh server enable
#
return
"""

INTENT = """\
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


def test_merge_sends_only_missing_lines_wrapped_in_views() -> None:
    changes = diff(parse_config(INTENT), parse_config(RUNNING))
    assert changes.commands() == [
        "vlan 10", "name users", "quit",
        "vlan 20", "name voice", "quit",
        "snmp-agent community read lab-ro",
        "interface GigabitEthernet2/0/1", "description uplink", "quit",
    ]
    script = changes.script().splitlines()
    assert script[0] == "system-view" and script[-1] == "return"
    delta = changes.delta()
    assert ("vlan 10", "+", "vlan 10") in delta
    assert ("vlan 20", "-", "name old-voice") in delta  # overwritten in place, shown as removed
    assert "+  name users" in render_delta(delta)


def test_replace_undoes_extras_in_named_sections_only() -> None:
    changes = diff(parse_config(INTENT), parse_config(RUNNING), replace=True)
    cmds = changes.commands()
    assert "undo service-type telnet terminal" in cmds
    assert "undo port trunk permit vlan 1 20" in cmds
    assert "undo snmp-agent community public" in cmds and "undo snmp-agent community ro2" in cmds
    assert "undo description" not in cmds and "undo name" not in cmds  # overwritten, not undone
    assert not any("ssh server" in c or "sysname" in c or "password" in c for c in cmds)
    assert "undo vlan 1" not in cmds  # sections absent from the intent are left alone
    # Undo lines come before the adds of the same section.
    section = cmds[cmds.index("interface GigabitEthernet2/0/1"):]
    assert section.index("undo port trunk permit vlan 1 20") < section.index("description uplink")


def test_password_simple_is_satisfied_by_its_stored_hash() -> None:
    from agent.passwords import hash_password

    running = parse_config(f"local-user ops\n password cipher {hash_password('Pw-1')}\n service-type ssh\n")
    assert diff(parse_config("local-user ops\n password simple Pw-1\n"), running).empty
    changed = diff(parse_config("local-user ops\n password simple Pw-2\n"), running)
    assert changed.commands() == ["local-user ops", "password simple Pw-2", "quit"]
    assert "Pw-2" not in changed.script() and "password simple ******" in changed.script()


def test_volatile_lines_ignored_in_backup_diffs() -> None:
    a = parse_config(RUNNING)
    b = parse_config(RUNNING.replace("Release 6616P01", "Release 9999").replace("$AAAA", "$BBBB"))
    assert config_delta(a, b) == []
    c = parse_config(RUNNING.replace(" name old-voice", " name voice"))
    assert config_delta(a, c) == [("vlan 20", "-", "name old-voice"), ("vlan 20", "+", "name voice")]


def _apply(device, commands: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Type the commands into the device's CLI in system view, as a push would."""
    session = device.open_cli("admin", 3, interactive=False)
    for line in ["system-view", *commands, "return"]:
        output, _ = session.execute(line)
        assert b"% " not in output and b"Error" not in output, (line, output)


def test_push_against_the_device_model_converges(tmp_path: Path) -> None:
    device = make_device(tmp_path / "s")
    for replace in (False, True):
        running = parse_config(device.render_configuration())
        changes = diff(parse_config(INTENT), running, replace=replace)
        _apply(device, changes.commands())
        assert diff(parse_config(INTENT), parse_config(device.render_configuration()), replace=replace).empty


def test_replace_against_the_device_model(tmp_path: Path) -> None:
    device = make_device(tmp_path / "s")
    _apply(device, ["vlan 30", "name x", "description extra", "quit",
                    "interface GigabitEthernet2/0/3", "description a", "port link-type trunk",
                    "port trunk permit vlan 30 40", "quit", "snmp-agent community read public"])
    intent = parse_config("vlan 30\n name y\n#\ninterface GigabitEthernet2/0/3\n port link-type trunk\n"
                          " port trunk permit vlan 30\n#\n snmp-agent community read lab-ro\n")
    _apply(device, diff(intent, parse_config(device.render_configuration()), replace=True).commands())
    text = device.render_configuration()
    assert "vlan 30\n name y\n#" in text and "description extra" not in text
    port = parse_config(text).lines("interface GigabitEthernet2/0/3")
    assert "description a" not in port and "port link-type trunk" in port
    permitted = [x for x in port if x.startswith("port trunk permit vlan")]
    assert permitted == ["port trunk permit vlan 30"], port
    assert "community read public" not in text and "community read lab-ro" in text
    assert diff(intent, parse_config(text), replace=True).empty


def test_vlan_items_round_trip() -> None:
    assert vlan_set("2 to 4 10 all".split()[:4]) == {2, 3, 4, 10}
    assert vlan_items({2, 3, 4, 10, 12, 13}) == "2 to 4 10 12 to 13"
    assert vlan_set(["all"]) == set(range(1, 4095))


lines = st.sampled_from([" name a", " name b", " description x", " description y z", " shutdown"])


@settings(max_examples=60, deadline=None)
@given(
    intent=st.dictionaries(st.integers(2, 6), st.lists(lines, max_size=3), max_size=4),
    running=st.dictionaries(st.integers(2, 6), st.lists(lines, max_size=3), max_size=4),
    replace=st.booleans(),
)
def test_applying_the_diff_is_idempotent(intent: dict[int, list[str]], running: dict[int, list[str]], replace: bool) -> None:
    """Simulate Comware semantics (single-valued attributes overwrite) and check convergence."""

    def text(cfg: dict[int, list[str]]) -> str:
        return "".join(f"vlan {v}\n" + "".join(f"{x}\n" for x in body) + "#\n" for v, body in cfg.items())

    def simulate(cfg: dict[int, list[str]], commands: list[str]) -> dict[int, list[str]]:
        out = {k: list(v) for k, v in cfg.items()}
        current = None
        for cmd in commands:
            if cmd.startswith("vlan "):
                current = out.setdefault(int(cmd.split()[1]), [])
            elif cmd == "quit":
                current = None
            elif cmd.startswith("undo ") and current is not None:
                word = cmd.split()[1]
                current[:] = [x for x in current if x.split()[0] != word]
            elif current is not None:
                word = cmd.split()[0]
                current[:] = [x for x in current if x.split()[0] != word] + [" " + cmd]
        return out

    # Each section keeps one value per attribute, as the device would.
    def device_like(cfg: dict[int, list[str]]) -> dict[int, list[str]]:
        return {k: list({x.split()[0]: x for x in v}.values()) for k, v in cfg.items()}

    intent, running = device_like(intent), device_like(running)
    first = diff(parse_config(text(intent)), parse_config(text(running)), replace=replace)
    after = simulate(running, first.commands())
    assert diff(parse_config(text(intent)), parse_config(text(after)), replace=replace).empty


def test_merge_undo_of_an_object_is_sent_only_while_the_device_has_it() -> None:
    intent = parse_config(" snmp-agent community read lab-ro\n undo snmp-agent community public\n"
                          " undo ssh server compatible-ssh1x enable\n")
    changes = diff(intent, parse_config(RUNNING))
    assert changes.commands() == ["undo snmp-agent community public", "snmp-agent community read lab-ro",
                                  "undo ssh server compatible-ssh1x enable"]
    # Shown as the line it removes, like a backup diff would show it.
    assert ("", "-", "snmp-agent community read public") in changes.delta()
    assert ("", "+", "undo snmp-agent community public") not in changes.delta()
    after = RUNNING.replace(" snmp-agent community read public\n", " snmp-agent community read lab-ro\n")
    # Nothing left to remove: the undo is satisfied. A switch-like undo needs its line verbatim.
    assert diff(intent, parse_config(after)).commands() == ["undo ssh server compatible-ssh1x enable"]
    done = after.replace(" ssh server enable\n", " ssh server enable\n undo ssh server compatible-ssh1x enable\n")
    assert diff(intent, parse_config(done)).empty
    # Replace mode does not undo the community twice.
    assert diff(intent, parse_config(RUNNING), replace=True).commands().count("undo snmp-agent community public") == 1


def test_merge_undo_of_a_single_valued_attribute() -> None:
    intent = parse_config("interface GigabitEthernet2/0/1\n undo description\n")
    changes = diff(intent, parse_config(RUNNING))
    assert changes.commands() == ["interface GigabitEthernet2/0/1", "undo description", "quit"]
    assert diff(intent, parse_config(RUNNING.replace(" description old text\n", ""))).empty


class _DeviceConnection:
    """What compliance.evaluate needs from a connection, answered by the device model."""

    def __init__(self, device) -> None:  # type: ignore[no-untyped-def]
        self.device = device

    def send_command(self, command: str) -> str:
        assert command == "display current-configuration"
        return str(self.device.render_configuration())


def test_shipped_templates_achieve_shipped_compliance_rules(tmp_path: Path) -> None:
    """After a merge push of templates/, SSH-2 devices pass templates/compliance.yaml; SSH1-only
    devices pass everything but no-ssh1 (which is correct: they cannot run SSH-2)."""
    from agent.fleet.compliance import evaluate, load_rules
    from agent.fleet.inventory import Host
    from agent.fleet.templates import Renderer
    from tests.helpers import ROOT

    rules = load_rules(ROOT / "templates/compliance.yaml")
    config_rules = [r for r in rules if "banner_not_matches" not in r and "ssh_offers_none" not in r]
    assert [r["name"] for r in rules if r not in config_rules] == ["no-ssh1"]
    renderer = Renderer([ROOT / "templates"], {"ops_password": "Ops-pass-1"})
    for profile, ssh1_only in (("3com-s7906e", False), ("3com-s7906e-legacy", False), ("3com-s7906e-ssh1", True)):
        device = make_device(tmp_path / profile, ROOT / f"device_profiles/{profile}.yaml")
        _apply(device, ["snmp-agent community read public"])  # as an earlier admin left it
        before = evaluate(_DeviceConnection(device), config_rules, None)
        assert {f["rule"] for f in before if not f["passed"]} >= {"no-public-community", "vlan-10"}, profile
        host = Host("SW-1", "127.0.0.1", 22, "admin", "hp_comware", [], {"ssh1_only": ssh1_only})
        intent = parse_config(renderer.render(host, 0))
        _apply(device, diff(intent, parse_config(device.render_configuration())).commands())
        assert diff(intent, parse_config(device.render_configuration())).empty, profile  # a second push: nothing
        after = evaluate(_DeviceConnection(device), config_rules, None)
        assert [f for f in after if not f["passed"]] == [], profile
        # no-ssh1 reads the identification line; the device model says which one it sends.
        assert (device.ssh_protocol_version() == "2.0") is (not ssh1_only), profile


def test_audit_strict_rules_flag_legacy_algorithms_the_templates_cannot_change() -> None:
    from agent.fleet.compliance import load_rules
    from agent.profiles import load_profile
    from tests.helpers import ROOT

    rules = {r["name"]: r for r in load_rules(ROOT / "templates/audit-strict.yaml")}
    legacy = set(rules["no-legacy-ciphers"]["ssh_offers_none"])
    for profile in ("3com-s7906e", "3com-s7906e-legacy"):
        algorithms = load_profile(ROOT / f"device_profiles/{profile}.yaml").ssh.algorithms
        offered = {*algorithms.kex, *algorithms.cipher, *algorithms.mac}
        assert offered & legacy, profile
    assert "no-legacy-ciphers" not in {r["name"] for r in load_rules(ROOT / "templates/compliance.yaml")}
