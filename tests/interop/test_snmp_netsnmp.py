"""Net-SNMP's command-line tools against the emulated device's SNMP agent, compared with the CLI.

Most tests serve the agent in process (so the CLI of the same device can be read and changed);
``test_switch_agent_serve_with_snmp`` runs the real ``python -m agent serve --snmp`` process.
Net-SNMP here has no MIB files, so every OID is numeric.
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
from pathlib import Path

import pytest

from agent.porttypes import short_name
from tests.helpers import PASSWORD, USER, agent_thread, cli, make_device
from tests.interop.switch_process import need, running_switch

SYSTEM = "1.3.6.1.2.1.1"
IF_TABLE = "1.3.6.1.2.1.2.2"
IFX_TABLE = "1.3.6.1.2.1.31.1.1"
ENT_PHYSICAL = "1.3.6.1.2.1.47.1.1.1"
VLAN_STATIC = "1.3.6.1.2.1.17.7.1.4.3"
FMT = ["-On", "-Oq", "-Ot", "-Oe"]

pytestmark = pytest.mark.timeout(120)


def snmp(tool: str, port: int, *args: str, auth: list[str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    need(tool)
    cmd = [tool, *(auth or ["-v2c", "-c", "public"]), "-t", "2", "-r", "1", *FMT, f"127.0.0.1:{port}", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, errors="replace")
    if check:
        assert result.returncode == 0, (cmd, result.stderr)
    return result


def parse(output: str) -> dict[tuple[int, ...], str]:
    """``-On -Oq`` lines -> {oid: value} (quoted strings unquoted)."""
    out = {}
    for line in output.splitlines():
        if not line.startswith("."):
            continue
        oid, _, value = line.partition(" ")
        value = value.strip()
        if value.startswith('"'):
            value = shlex.split(value)[0] if value.endswith('"') else value.strip('"')
        out[tuple(int(x) for x in oid.strip(".").split("."))] = value
    return out


def column(rows: dict[tuple[int, ...], str], prefix: str, col: int) -> dict[tuple[int, ...], str]:
    stem = tuple(int(x) for x in prefix.split(".")) + (1, col)
    return {oid[len(stem):]: v for oid, v in rows.items() if oid[: len(stem)] == stem}


def hexbits(text: str) -> list[int]:
    """``"80 00 01 "`` -> bridge port numbers whose bits are set."""
    data = bytes.fromhex(text.replace(" ", ""))
    return [i * 8 + b + 1 for i, byte in enumerate(data) for b in range(8) if byte & (0x80 >> b)]


def brief_rows(device) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """`display interface brief` -> {short name: columns}."""
    text = cli(device, "display interface brief")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(GE|XGE|FGE|Vlan|NULL)(\S+)\s+(.*)$", line)
        if m:
            rows[m.group(1) + m.group(2)] = m.group(3).split()
    return rows


@pytest.fixture
def configured(device):  # type: ignore[no-untyped-def]
    cli(device, "system-view", "vlan 10", "name servers", "quit", "vlan 20", "quit",
        "interface GigabitEthernet2/0/1", "description core uplink", "port link-type trunk",
        "port trunk permit vlan 10 20", "quit",
        "interface GigabitEthernet2/0/2", "port access vlan 10", "description server-a", "quit",
        "interface GigabitEthernet3/0/1", "shutdown", "quit",
        "interface Vlan-interface10", "description servers gw", "ip address 10.0.10.1 24")
    return device


def test_walk_system(device) -> None:
    with agent_thread(device) as agent:
        rows = parse(snmp("snmpwalk", agent.port, SYSTEM).stdout)
    sys_ = {oid[-2]: v for oid, v in rows.items()}
    assert sys_[1] == device.profile.identity.sys_descr
    assert sys_[2] == ".1.3.6.1.4.1.43.1.16.4.3.52"
    assert int(sys_[3]) >= 0
    assert sys_[4] == device.snmp.contact_text and sys_[6] == device.snmp.location_text
    assert sys_[5] == device.sysname
    version = cli(device, "display version")
    assert "Comware" in version and device.profile.identity.release in sys_[1]


def test_walk_if_table_matches_display_interface(configured) -> None:
    device = configured
    with agent_thread(device) as agent:
        rows = parse(snmp("snmpwalk", agent.port, IF_TABLE).stdout)
        xrows = parse(snmp("snmpbulkwalk", agent.port, IFX_TABLE).stdout)
    descr = column(rows, IF_TABLE, 2)
    admin, oper = column(rows, IF_TABLE, 7), column(rows, IF_TABLE, 8)
    names, aliases = column(xrows, IFX_TABLE, 1), column(xrows, IFX_TABLE, 18)
    brief = brief_rows(device)
    assert {short_name(n) for n in descr.values()} == set(brief)  # the same interfaces as the CLI
    assert descr == names
    for idx, name in descr.items():
        cols = brief[short_name(name)]
        link = cols[0]
        assert (admin[idx] == "2") == (link == "ADM"), name
        assert (oper[idx] == "1") == (link == "UP"), name
    ge1 = next(i for i, n in descr.items() if n == "GigabitEthernet2/0/1")
    assert aliases[ge1] == "core uplink"
    shown = cli(device, "display interface GigabitEthernet2/0/1")
    assert " Description: core uplink" in shown
    mac = re.search(r"Hardware Address: ([0-9a-f-]+)", shown).group(1)  # type: ignore[union-attr]
    assert column(rows, IF_TABLE, 6)[ge1].replace(" ", "").lower() == mac.replace("-", "")
    vif = next(i for i, n in descr.items() if n == "Vlan-interface10")
    assert aliases[vif] == "servers gw"
    assert column(xrows, IFX_TABLE, 15)[ge1] == "1000"
    # Counters are Counter64 in ifXTable and move.
    assert int(column(xrows, IFX_TABLE, 6)[ge1]) > 0


def test_walk_entity_table_matches_display_device(device) -> None:
    with agent_thread(device) as agent:
        rows = parse(snmp("snmpbulkwalk", agent.port, ENT_PHYSICAL).stdout)
    classes = column(rows, ENT_PHYSICAL, 5)
    models = column(rows, ENT_PHYSICAL, 13)
    serials = column(rows, ENT_PHYSICAL, 11)
    modules = {idx: models[idx] for idx, cls in classes.items() if cls == "9"}
    boards = {}
    for line in cli(device, "display device").splitlines()[1:]:
        parts = line.split()
        if parts and parts[0].isdigit():
            boards[int(parts[0])] = parts[1]
    assert {idx[0] - 200: m for idx, m in modules.items()} == boards
    manuinfo = cli(device, "display device manuinfo")
    for idx in modules:
        assert f"DEVICE_SERIAL_NUMBER : {serials[idx]}" in manuinfo
    assert list(classes.values()).count("3") == 1
    assert list(classes.values()).count("10") == len(device.ports)


def test_walk_vlan_static_table_matches_display_vlan(configured) -> None:
    device = configured
    with agent_thread(device) as agent:
        rows = parse(snmp("snmpwalk", agent.port, VLAN_STATIC).stdout)
    names = column(rows, VLAN_STATIC, 1)
    egress = column(rows, VLAN_STATIC, 2)
    untagged = column(rows, VLAN_STATIC, 4)
    summary = cli(device, "display vlan")
    assert re.search(rf"Total {len(names)} VLAN exist", summary)
    assert sorted(vid for (vid,) in names) == [1, 10, 20]
    by_ordinal = {p.ordinal: p.name for p in device.ports.values()}
    for (vid,), name in names.items():
        detail = cli(device, f"display vlan {vid}")
        assert f" Name: {name}" in detail
        ports = {by_ordinal[n] for n in hexbits(egress[(vid,)])}
        shown = set(re.findall(r"(?:Ten-)?GigabitEthernet\d+/\d+/\d+", detail))
        assert ports == shown, vid
        assert {by_ordinal[n] for n in hexbits(untagged[(vid,)])} <= shown
    assert names[(10,)] == "servers"
    assert hexbits(untagged[(10,)]) == [device.ports["GigabitEthernet2/0/2"].ordinal]


def test_snmpset_round_trip_sysname_and_ifalias(device) -> None:
    port = device.ports["Ten-GigabitEthernet4/0/2"]
    rw = ["-v2c", "-c", "private"]
    with agent_thread(device) as agent:
        snmp("snmpset", agent.port, "1.3.6.1.2.1.1.5.0", "s", "agg-sw-2", auth=rw)
        snmp("snmpset", agent.port, f"1.3.6.1.2.1.31.1.1.1.18.{port.ordinal}", "s", "to DC-2 spine", auth=rw)
        got = parse(snmp("snmpget", agent.port, "1.3.6.1.2.1.1.5.0", f"1.3.6.1.2.1.31.1.1.1.18.{port.ordinal}").stdout)
        assert list(got.values()) == ["agg-sw-2", "to DC-2 spine"]
        config = cli(device, "display current-configuration")
        assert " sysname agg-sw-2" in config
        assert "interface Ten-GigabitEthernet4/0/2\r\n description to DC-2 spine" in config
        assert "<agg-sw-2>" in device.open_cli(USER, 3, interactive=False).start().decode()
        bad = snmp("snmpset", agent.port, "1.3.6.1.2.1.1.5.0", "s", "no spaces allowed", auth=rw, check=False)
        assert bad.returncode != 0 and "wrongValue" in bad.stderr
        ro = snmp("snmpset", agent.port, "1.3.6.1.2.1.1.5.0", "s", "x", check=False)
        assert ro.returncode != 0 and "noAccess" in ro.stderr
        assert device.sysname == "agg-sw-2"


V3_LINE = "snmp-agent usm-user v3 {name} grp authentication-mode {auth} Auth-Secret-{name} privacy-mode aes128 Priv-Secret-{name}"


@pytest.mark.parametrize(("auth", "netsnmp_auth"), [("sha", "SHA"), ("sha256", "SHA-256")])
def test_snmpwalk_v3_auth_priv(device, auth: str, netsnmp_auth: str) -> None:
    name = f"u{auth}"
    cli(device, "system-view", V3_LINE.format(name=name, auth=auth))

    def v3(auth_key: str, priv_key: str) -> list[str]:
        return ["-v3", "-l", "authPriv", "-u", name, "-a", netsnmp_auth, "-A", auth_key, "-x", "AES", "-X", priv_key]

    with agent_thread(device) as agent:
        rows = parse(snmp("snmpwalk", agent.port, SYSTEM, auth=v3(f"Auth-Secret-{name}", f"Priv-Secret-{name}")).stdout)
        assert rows[(1, 3, 6, 1, 2, 1, 1, 5, 0)] == device.sysname
        bad_auth = snmp("snmpwalk", agent.port, SYSTEM, auth=v3("Wrong-Secret-99", f"Priv-Secret-{name}"), check=False)
        assert bad_auth.returncode != 0 and not parse(bad_auth.stdout)
        assert "Authentication failure" in bad_auth.stderr
        bad_priv = snmp("snmpwalk", agent.port, SYSTEM, auth=v3(f"Auth-Secret-{name}", "Wrong-Secret-99"), check=False)
        assert bad_priv.returncode != 0 and not parse(bad_priv.stdout)
        unknown = snmp("snmpget", agent.port, "1.3.6.1.2.1.1.5.0", check=False,
                       auth=["-v3", "-l", "noAuthNoPriv", "-u", "nobody"])
        assert unknown.returncode != 0 and "Unknown user name" in unknown.stderr


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_switch_agent_serve_with_snmp(tmp_path: Path) -> None:
    need("snmpwalk", "snmpget", "snmpset")
    state = tmp_path / "state"
    # Prepare the saved configuration the served device boots from (CLI-made, like an operator would).
    seed = make_device(state)
    cli(seed, "system-view", "sysname served-7906", "vlan 30", "quit", "snmp-agent community write private",
        V3_LINE.format(name="ops", auth="sha"))  # the read community comes from --snmp-community
    seed.save()
    port = _free_udp_port()
    with running_switch(state, [f"{USER}:{PASSWORD}:3"], extra=["--snmp", f"127.0.0.1:{port}", "--snmp-community", "public"]) as switch:
        assert switch.process.poll() is None
        rows = parse(snmp("snmpwalk", port, SYSTEM).stdout)
        assert rows[(1, 3, 6, 1, 2, 1, 1, 5, 0)] == "served-7906"
        descr = column(parse(snmp("snmpbulkwalk", port, IF_TABLE).stdout), IF_TABLE, 2)
        assert len(descr) == len(seed.ports) + 1 and "GigabitEthernet2/0/1" in descr.values()
        vlans = column(parse(snmp("snmpwalk", port, VLAN_STATIC).stdout), VLAN_STATIC, 1)
        assert sorted(v for (v,) in vlans) == [1, 30]
        snmp("snmpset", port, "1.3.6.1.2.1.1.5.0", "s", "renamed-7906", auth=["-v2c", "-c", "private"])
        got = parse(snmp("snmpget", port, "1.3.6.1.2.1.1.5.0").stdout)
        assert list(got.values()) == ["renamed-7906"]
        v3 = ["-v3", "-l", "authPriv", "-u", "ops", "-a", "SHA", "-A", "Auth-Secret-ops", "-x", "AES",
              "-X", "Priv-Secret-ops"]
        got = parse(snmp("snmpget", port, "1.3.6.1.2.1.1.1.0", auth=v3).stdout)
        assert list(got.values()) == [seed.profile.identity.sys_descr]
    assert switch.process.poll() is not None


def test_fast_path_and_pysnmp_path_agree(configured) -> None:
    """v2c reads take the agent's fast path, v3 reads go through pysnmp: same answers."""
    device = configured
    name = "cmp"
    cli(device, "system-view", V3_LINE.format(name=name, auth="sha"))
    v3 = ["-v3", "-l", "authPriv", "-u", name, "-a", "SHA", "-A", f"Auth-Secret-{name}", "-x", "AES",
          "-X", f"Priv-Secret-{name}"]
    stable = [SYSTEM + ".1", SYSTEM + ".2", SYSTEM + ".5", IF_TABLE + ".1.2", IF_TABLE + ".1.6", IFX_TABLE + ".1.18",
              ENT_PHYSICAL + ".1.7", VLAN_STATIC]
    with agent_thread(device) as agent:
        for prefix in stable:
            fast = parse(snmp("snmpbulkwalk", agent.port, prefix).stdout)
            slow = parse(snmp("snmpbulkwalk", agent.port, prefix, auth=v3).stdout)
            assert fast == slow and fast, prefix
            one_by_one = parse(snmp("snmpwalk", agent.port, prefix, auth=["-v1", "-c", "public"]).stdout)
            assert one_by_one == fast, prefix
        assert agent.stats["fast"] > 0
