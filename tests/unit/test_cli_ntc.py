"""Display output parses with the ntc-templates hp_comware templates and matches the device state."""

from __future__ import annotations

import pytest
from ntc_templates.parse import parse_output

from tests.helpers import Term, make_device, text


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    dev = make_device(tmp_path_factory.mktemp("ntc"), users=[])
    term = Term(dev)
    term.run("system-view", "vlan 10", "name users", "vlan 20", "description servers",
             "interface GigabitEthernet2/0/1", "port link-type trunk", "port trunk permit vlan 10 20",
             "interface GigabitEthernet2/0/5", "port access vlan 10", "description desk",
             "interface GigabitEthernet3/0/2", "shutdown",
             "interface Vlan-interface10", "ip address 192.168.10.1 255.255.255.0", "return")
    session = dev.open_cli("admin", 3, interactive=False)
    return dev, session


def _parse(session, command):
    out, status = session.execute(command)
    assert status == 0
    records = parse_output(platform="hp_comware", command=command, data=text(out))
    assert records, command
    return records


def test_interface_brief(configured):
    dev, s = configured
    rows = {r["interface"]: r for r in _parse(s, "display interface brief")}
    assert rows["GE2/0/1"]["type"] == "T" and rows["GE2/0/5"]["vlan_id"] == "10"
    assert rows["GE2/0/5"]["description"] == "desk"
    assert rows["GE3/0/2"]["link"] == "ADM"
    assert rows["Vlan10"]["main_ip"] == "192.168.10.1"
    assert len([r for r in rows if r.startswith(("GE", "XGE"))]) == len(dev.ports)


def test_interface(configured):
    dev, s = configured
    rows = {r["interface"]: r for r in _parse(s, "display interface")}
    assert set(dev.ports) <= set(rows)
    trunk = rows["GigabitEthernet2/0/1"]
    assert trunk["port_link_type"] == "trunk"
    assert trunk["vlan_permitted"] == ["1(default vlan)", "10", "20"]
    assert rows["GigabitEthernet2/0/5"]["untagged_vlan_id"] == "10"
    assert rows["GigabitEthernet3/0/2"]["line_status"] == "DOWN"
    assert rows["Vlan-interface10"]["ip_address"] == ["192.168.10.1/24"]


def test_vlan_all_and_brief(configured):
    dev, s = configured
    rows = {r["vlan_id"]: r for r in _parse(s, "display vlan all")}
    assert set(rows) == {"1", "10", "20"}
    assert rows["10"]["vlan_name"] == "users" and rows["20"]["description"] == "servers"
    assert rows["10"]["ipv4_address"] == "192.168.10.1"
    brief = {r["vlan_id"]: r["vlan_name"] for r in _parse(s, "display vlan brief")}
    assert brief["10"] == "users"
    out, _ = s.execute("display vlan 10")
    assert "GigabitEthernet2/0/1" in text(out) and "GigabitEthernet2/0/5" in text(out)


def test_mac_clock_manuinfo_ip(configured):
    dev, s = configured
    macs = _parse(s, "display mac-address")
    assert {m["interface"] for m in macs} <= set(dev.ports)
    assert _parse(s, "display clock")[0]["timezone"] == "UTC"
    slots = {r["slot_id"]: r for r in _parse(s, "display device manuinfo") if r["slot_type"] == "Slot"}
    assert set(slots) == {str(c.slot) for c in dev.profile.chassis}
    assert slots["2"]["device_name"] == "LSQ1GV48SC"
    ip = _parse(s, "display ip interface")
    assert ip[0]["interface"] == "Vlan-interface10" and ip[0]["ip_address"] == ["192.168.10.1/24"]
