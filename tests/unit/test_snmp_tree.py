"""The SNMP agent's dynamic OID tree, in process (no sockets): values follow the device and the CLI."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pysnmp.proto import rfc1902

from agent.snmp import mib_bridge, mib_entity, mib_interfaces, mib_system
from agent.snmp.access import credentials, parse_usm_user
from agent.snmp.cliapply import CommitError, apply_set
from agent.snmp.mibs import build_tree
from agent.snmp.oidtree import COUNTER64, STRING, SetError, parse_oid, to_asn1
from tests.helpers import cli

SYS = mib_system.SYSTEM
IF_ENTRY = mib_interfaces.IF_ENTRY
IFX_ENTRY = mib_interfaces.IFX_ENTRY
STATIC = mib_bridge.DOT1Q_VLAN_STATIC_ENTRY


def value(tree, oid):
    found = tree.get(oid)
    assert found is not None, oid
    raw = found[1]() if callable(found[1]) else found[1]
    return raw


def ifindex_of(tree, name: str) -> int:
    for oid, (_, raw) in tree.walk(IF_ENTRY + (2,)):
        if oid[: len(IF_ENTRY) + 1] != IF_ENTRY + (2,):
            break
        if raw == name:
            return oid[-1]
    raise AssertionError(name)


def test_system_group_from_profile_and_device(device) -> None:
    tree = build_tree(device)
    ident = device.profile.identity
    assert value(tree, mib_system.SYS_DESCR) == ident.sys_descr
    assert value(tree, mib_system.SYS_OBJECT_ID) == (1, 3, 6, 1, 4, 1, 43, 1, 16, 4, 3, 52)
    assert value(tree, mib_system.SYS_NAME) == device.sysname == "SW7906E"
    assert value(tree, mib_system.SYS_CONTACT) == device.snmp.contact_text
    assert value(tree, mib_system.SYS_LOCATION) == device.snmp.location_text
    assert value(tree, mib_system.SYS_SERVICES) == 6
    device.boot_time -= 12.5
    assert value(tree, mib_system.SYS_UPTIME) >= 1250


def test_cli_changes_are_visible_in_the_next_lookup(device) -> None:
    tree = build_tree(device)
    assert value(tree, mib_system.SYS_NAME) == "SW7906E"
    cli(device, "system-view", "sysname core-1", "snmp-agent sys-info contact noc@example.net",
        "snmp-agent sys-info location Rack 4", "interface GigabitEthernet2/0/3", "description to server 3",
        "shutdown", "quit", "vlan 20", "quit", "interface Vlan-interface20", "description mgmt")
    assert value(tree, mib_system.SYS_NAME) == "core-1"
    assert value(tree, mib_system.SYS_CONTACT) == "noc@example.net"
    assert value(tree, mib_system.SYS_LOCATION) == "Rack 4"
    port = device.ports["GigabitEthernet2/0/3"]
    assert value(tree, IFX_ENTRY + (18, port.ordinal)) == "to server 3"
    assert value(tree, IF_ENTRY + (7, port.ordinal)) == 2  # adminStatus down
    assert value(tree, IF_ENTRY + (8, port.ordinal)) == 2  # operStatus down
    vif = mib_interfaces.VLANIF_BASE + 20
    assert value(tree, IF_ENTRY + (2, vif)) == "Vlan-interface20"
    assert value(tree, IFX_ENTRY + (18, vif)) == "mgmt"
    assert value(tree, STATIC + (1, 20)) == "VLAN 0020"
    cli(device, "system-view", "interface GigabitEthernet2/0/3", "undo shutdown")
    assert value(tree, IF_ENTRY + (7, port.ordinal)) == 1


def test_if_table_has_every_port_null0_and_vlan_interfaces(device) -> None:
    cli(device, "system-view", "vlan 10", "quit", "interface Vlan-interface10")
    tree = build_tree(device)
    names = {}
    for oid, (_, raw) in tree.walk(IF_ENTRY + (2,)):
        if oid[: len(IF_ENTRY) + 1] != IF_ENTRY + (2,):
            break
        names[oid[-1]] = raw
    assert value(tree, mib_interfaces.IF_NUMBER) == len(names) == len(device.ports) + 2
    for port in device.ports.values():
        assert names[port.ordinal] == port.name
        assert value(tree, IFX_ENTRY + (1, port.ordinal)) == port.name
        assert value(tree, IF_ENTRY + (3, port.ordinal)) == 6
        assert value(tree, IF_ENTRY + (6, port.ordinal)) == bytes.fromhex(device.port_mac(port).replace("-", ""))
        assert value(tree, IFX_ENTRY + (15, port.ordinal)) == port.speed_bps // 10**6
        assert value(tree, IF_ENTRY + (5, port.ordinal)) == min(port.speed_bps, 2**32 - 1)
    assert names[mib_interfaces.NULL0_IFINDEX] == "NULL0"
    assert names[mib_interfaces.VLANIF_BASE + 10] == "Vlan-interface10"
    assert value(tree, IF_ENTRY + (3, mib_interfaces.VLANIF_BASE + 10)) == 136
    # GE2/0/1 is cabled (up), GE2/0/3 is not.
    assert value(tree, IF_ENTRY + (8, device.ports["GigabitEthernet2/0/1"].ordinal)) == 1
    assert value(tree, IF_ENTRY + (8, device.ports["GigabitEthernet2/0/3"].ordinal)) == 2


def test_counters_increase_while_up_and_freeze_while_down(device, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [device.boot_time + 100.0]

    class FakeTime:
        @staticmethod
        def time() -> float:
            return clock[0]

    monkeypatch.setattr(mib_interfaces, "time", FakeTime)
    tree = build_tree(device)
    up = device.ports["GigabitEthernet2/0/1"].ordinal
    down = device.ports["GigabitEthernet2/0/3"].ordinal
    first = value(tree, IF_ENTRY + (10, up))
    hc_first = value(tree, IFX_ENTRY + (6, up))
    assert first > 0 and hc_first == first
    assert value(tree, IF_ENTRY + (10, down)) == 0
    clock[0] += 10
    tree.invalidate()
    second = value(tree, IF_ENTRY + (10, up))
    assert second > first
    assert value(tree, IF_ENTRY + (16, up)) > 0
    cli(device, "system-view", "interface GigabitEthernet2/0/1", "shutdown")
    frozen = value(tree, IF_ENTRY + (10, up))
    clock[0] += 10
    tree.invalidate()
    assert value(tree, IF_ENTRY + (10, up)) == frozen >= second
    assert tree.get(IFX_ENTRY + (6, up))[0] is COUNTER64


def test_dot1q_tables_follow_vlan_membership(device) -> None:
    cli(device, "system-view", "vlan 10", "name servers", "quit",
        "interface GigabitEthernet2/0/2", "port access vlan 10", "quit",
        "interface GigabitEthernet2/0/4", "port link-type trunk", "port trunk permit vlan 10", "quit")
    tree = build_tree(device)
    p2 = device.ports["GigabitEthernet2/0/2"].ordinal
    p4 = device.ports["GigabitEthernet2/0/4"].ordinal
    size = (len(device.ports) + 7) // 8
    assert value(tree, STATIC + (1, 10)) == "servers"
    assert value(tree, STATIC + (2, 10)) == mib_bridge.port_list([p2, p4], size)
    assert value(tree, STATIC + (4, 10)) == mib_bridge.port_list([p2], size)
    egress_1 = value(tree, STATIC + (2, 1))
    assert not egress_1[(p2 - 1) // 8] & (0x80 >> ((p2 - 1) % 8))  # moved out of VLAN 1
    assert value(tree, mib_bridge.DOT1Q_PORT_VLAN_ENTRY + (1, p2)) == 10
    assert value(tree, mib_bridge.DOT1Q_PORT_VLAN_ENTRY + (1, p4)) == 1
    assert value(tree, mib_bridge.DOT1Q_BASE + (4, 0)) == 2
    assert value(tree, mib_bridge.DOT1D_BASE + (2, 0)) == len(device.ports)
    assert value(tree, mib_bridge.DOT1D_BASE + (1, 0)) == bytes.fromhex(device.mac(0).replace("-", ""))
    # The CLI's own view of the same membership.
    tagged, untagged = device.vlan_members(10)
    assert {p.ordinal for p in tagged + untagged} == {p2, p4}


def test_port_list_bit_order() -> None:
    assert mib_bridge.port_list([1], 2) == b"\x80\x00"
    assert mib_bridge.port_list([8, 9], 2) == b"\x01\x80"


def test_entity_table_from_profile(device) -> None:
    tree = build_tree(device)
    e = mib_entity.ENT_PHYSICAL_ENTRY
    assert value(tree, e + (2, 1)) == device.profile.identity.model
    assert value(tree, e + (5, 1)) == mib_entity.CHASSIS
    for spec in device.profile.chassis:
        board = mib_entity.BOARD_BASE + spec.slot
        assert value(tree, e + (5, mib_entity.SLOT_BASE + spec.slot)) == mib_entity.CONTAINER
        assert value(tree, e + (4, board)) == mib_entity.SLOT_BASE + spec.slot
        assert value(tree, e + (13, board)) == spec.board
        assert value(tree, e + (11, board)) == spec.serial
    port = device.ports["Ten-GigabitEthernet4/0/8"]
    assert value(tree, e + (7, mib_entity.PORT_BASE + port.ordinal)) == port.name
    assert value(tree, e + (4, mib_entity.PORT_BASE + port.ordinal)) == mib_entity.BOARD_BASE + 4


def test_walk_is_strictly_increasing_and_ends(shared_device) -> None:
    tree = build_tree(shared_device)
    oids = [oid for oid, _ in tree.walk()]
    assert len(oids) > 5000
    assert all(a < b for a, b in zip(oids, oids[1:], strict=False))
    assert tree.next(oids[-1]) is None
    assert tree.next(()) is not None and tree.next(())[0] == oids[0]
    for _oid, val in list(tree.walk())[:200]:
        to_asn1(val)  # every value converts to a pysnmp object


_SCAN: dict[int, dict] = {}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12000), min_size=0, max_size=14))
def test_getnext_matches_a_linear_scan(shared_device, arcs: list[int]) -> None:
    cache = _SCAN.setdefault(id(shared_device), {})
    if not cache:
        cache["tree"] = tree = build_tree(shared_device)
        cache["oids"] = [oid for oid, _ in tree.walk()]
    tree, oids = cache["tree"], cache["oids"]
    query = (1, 3, 6, 1, 2, 1)[: len(arcs) % 7] + tuple(arcs)
    expected = next((o for o in oids if o > query), None)
    found = tree.next(query)
    assert (found[0] if found else None) == expected


def test_get_unknown_and_has_object(shared_device) -> None:
    tree = build_tree(shared_device)
    assert tree.get((1, 3, 6, 1, 2, 1, 1, 1)) is None  # sysDescr without .0
    assert tree.get((1, 3, 6, 1, 4, 1, 9, 9)) is None
    assert tree.has_object(IF_ENTRY + (2, 99999))  # ifDescr exists, that instance does not
    assert not tree.has_object((1, 3, 6, 1, 4, 1, 9, 9))


def _set(device, tree, *pairs: tuple[tuple[int, ...], bytes]) -> None:
    """Check then apply ``(oid, value)`` pairs as one SET request, like the agent does."""
    changes = []
    for index, (oid, data) in enumerate(pairs, 1):
        setter = tree.writable(oid)
        assert setter is not None and setter.syntax is STRING
        changes.append((index, setter, setter.check(oid, rfc1902.OctetString(data))))
    apply_set(device, changes)


def test_set_sys_name_contact_location_and_alias_through_the_cli(device) -> None:
    tree = build_tree(device)
    _set(device, tree, (mib_system.SYS_NAME, b"edge-7"))
    assert device.sysname == "edge-7" and value(tree, mib_system.SYS_NAME) == "edge-7"
    port = device.ports["GigabitEthernet3/0/7"]
    alias_oid = mib_interfaces.IF_ALIAS + (port.ordinal,)
    _set(device, tree, (mib_system.SYS_CONTACT, b"ops team"), (mib_system.SYS_LOCATION, b"Hall B"),
         (alias_oid, b"uplink A"))
    config = cli(device, "display current-configuration")
    assert " sysname edge-7" in config
    assert " snmp-agent sys-info contact ops team" in config
    assert " snmp-agent sys-info location Hall B" in config
    assert "interface GigabitEthernet3/0/7\r\n description uplink A" in config
    assert value(tree, alias_oid) == "uplink A"
    _set(device, tree, (alias_oid, b""))
    assert port.description is None


def test_multi_varbind_set_runs_in_one_cli_session(device, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = build_tree(device)
    opened = []
    real_open = device.open_cli
    monkeypatch.setattr(device, "open_cli", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    vif = mib_interfaces.VLANIF_BASE + 1
    cli(device, "system-view", "interface Vlan-interface1")
    opened.clear()
    _set(device, tree, (mib_system.SYS_NAME, b"core-2"), (mib_interfaces.IF_ALIAS + (1,), b"first port"),
         (mib_interfaces.IF_ALIAS + (vif,), b"mgmt"), (mib_system.SYS_LOCATION, b"Row 3"))
    assert len(opened) == 1
    assert device.sysname == "core-2" and device.snmp.location == "Row 3"
    assert value(tree, mib_interfaces.IF_ALIAS + (1,)) == "first port"
    assert value(tree, mib_interfaces.IF_ALIAS + (vif,)) == "mgmt"


def _failing_alias(tree, monkeypatch: pytest.MonkeyPatch, extra: list[str]) -> None:
    """Make the ifAlias setter's CLI lines fail after they (maybe) changed the description."""
    section = next(s for s in tree.sections if s.prefix == mib_interfaces.IF_MIB)
    real = section.writable[mib_interfaces.IF_ALIAS]
    broken = dataclasses.replace(real, lines=lambda prepared: real.lines(prepared)[:-1] + extra)
    monkeypatch.setitem(section.writable, mib_interfaces.IF_ALIAS, broken)


@pytest.mark.parametrize("extra", [["no-such-command"], ["undo description", "no-such-command"]])
def test_set_is_all_or_nothing(device, monkeypatch: pytest.MonkeyPatch, extra: list[str]) -> None:
    """RFC 3416 4.2.5: sysName (fine) + ifAlias whose CLI line fails -> commitFailed at 2, nothing changed."""
    port = device.ports["GigabitEthernet2/0/5"]
    cli(device, "system-view", "snmp-agent sys-info contact before", "interface GigabitEthernet2/0/5",
        "description old text")
    tree = build_tree(device)
    _failing_alias(tree, monkeypatch, extra)
    before = device.render_configuration()
    location = device.snmp.location
    with pytest.raises(CommitError) as err:
        _set(device, tree, (mib_system.SYS_NAME, b"renamed"), (mib_system.SYS_CONTACT, b"after"),
             (mib_interfaces.IF_ALIAS + (port.ordinal,), b"new text"), (mib_system.SYS_LOCATION, b"never"))
    assert (err.value.status, err.value.index) == ("commitFailed", 3)
    assert device.sysname == "SW7906E" and value(tree, mib_system.SYS_NAME) == "SW7906E"
    assert device.snmp.contact == "before" and device.snmp.location == location
    assert port.description == "old text"
    assert device.render_configuration() == before


def test_set_that_cannot_be_undone_is_undo_failed(device, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = build_tree(device)
    _failing_alias(tree, monkeypatch, ["no-such-command"])
    section = next(s for s in tree.sections if s.prefix == mib_system.SYSTEM)
    stem = mib_system.SYS_NAME[:-1]
    monkeypatch.setitem(section.writable, stem, dataclasses.replace(section.writable[stem],
                                                                    undo=lambda _: ["sysname bad name"]))
    with pytest.raises(CommitError) as err:
        _set(device, tree, (mib_system.SYS_NAME, b"renamed"), (mib_interfaces.IF_ALIAS + (1,), b"x"))
    assert (err.value.status, err.value.index) == ("undoFailed", 0)


@pytest.mark.parametrize(
    ("oid", "data", "status"),
    [
        (mib_system.SYS_NAME, b"", "wrongLength"),
        (mib_system.SYS_NAME, b"bad name", "wrongValue"),
        (mib_system.SYS_NAME, b"x" * 49, "wrongValue"),
        (mib_system.SYS_CONTACT, b"x" * 201, "wrongLength"),
        (mib_system.SYS_CONTACT, b"tab\there", "wrongValue"),
        (mib_system.SYS_LOCATION, b"\xff\xfe", "wrongValue"),
        (mib_system.SYS_NAME[:-1] + (1,), b"x", "noCreation"),
        (mib_interfaces.IF_ALIAS + (1,), b"x" * 81, "wrongLength"),
        (mib_interfaces.IF_ALIAS + (77777,), b"x", "noCreation"),
        (mib_interfaces.IF_ALIAS + (mib_interfaces.NULL0_IFINDEX,), b"x", "notWritable"),
        (mib_interfaces.IF_ALIAS + (1,), b" padded", "wrongValue"),
    ],
)
def test_set_rejects_bad_values(device, oid, data, status) -> None:
    tree = build_tree(device)
    setter = tree.writable(oid)
    assert setter is not None
    before = device.render_configuration()
    with pytest.raises(SetError) as err:
        setter.check(oid, rfc1902.OctetString(data))
    assert err.value.status == status
    assert device.render_configuration() == before


def test_read_only_objects_are_not_writable(shared_device) -> None:
    tree = build_tree(shared_device)
    assert tree.writable(mib_system.SYS_DESCR) is None
    assert tree.writable(IF_ENTRY + (2, 1)) is None
    assert tree.writable((1, 3, 6, 1, 4, 1, 43)) is None


def test_usm_user_parsing() -> None:
    user = parse_usm_user("v3 alice grp authentication-mode sha Auth-Pass-1 privacy-mode aes128 Priv-Pass-1")
    assert user is not None and (user.auth, user.priv, user.level) == ("sha", "aes128", 3)
    user = parse_usm_user("v3 bob grp authentication-mode sha256 Auth-Pass-2 acl 2000")
    assert user is not None and (user.auth, user.priv, user.level) == ("sha256", None, 2)
    assert parse_usm_user("v3 carol grp").level == 1
    assert parse_usm_user("v3 dave grp cipher authentication-mode sha XXXX") is None
    assert parse_usm_user("v3 erin grp authentication-mode rot13 x") is None
    assert parse_usm_user("v2c frank grp") is None
    assert parse_usm_user("v3") is None


def test_credentials_follow_the_configuration(device) -> None:
    assert credentials(device).communities == ()  # none until configured, as on the switch
    cli(device, "system-view", "snmp-agent community read public", "snmp-agent community write private")
    creds = credentials(device)
    assert ("public", "read") in creds.communities and ("private", "write") in creds.communities
    assert creds.versions == {"v1", "v2c", "v3"}  # untouched CW5 default (v3 only) read leniently
    assert credentials(device, strict_versions=True).versions == {"v3"}
    cli(device, "system-view", "snmp-agent sys-info version v2c",
        "snmp-agent usm-user v3 ops grp authentication-mode sha Ops-Auth-123 privacy-mode aes128 Ops-Priv-123")
    creds = credentials(device)
    assert creds.versions == {"v2c", "v3"}
    assert [u.name for u in creds.users] == ["ops"]


def test_parse_oid() -> None:
    assert parse_oid(".1.3.6.1") == (1, 3, 6, 1)


# ------------------------------------------------------------------ the v1/v2c fast path's BER codec
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=0, max_size=20),
       st.integers(min_value=0, max_value=1), st.integers(min_value=0, max_value=39))
def test_fast_oid_codec_matches_pyasn1(arcs: list[int], first: int, second: int) -> None:
    from pyasn1.codec.ber import encoder

    from agent.snmp import fastpath

    oid = (first, second, *arcs)
    encoded = fastpath.encode_oid(oid)
    assert encoded == encoder.encode(rfc1902.ObjectIdentifier(oid))
    _, s, e = fastpath.read_tlv(encoded, 0, len(encoded))
    assert fastpath.decode_oid(encoded[s:e]) == oid


@pytest.mark.parametrize(
    "value",
    [
        (rfc1902.Integer32, 0), (rfc1902.Integer32, -1), (rfc1902.Integer32, 2**31 - 1), (rfc1902.Integer32, -(2**31)),
        (rfc1902.OctetString, "3Com"), (rfc1902.OctetString, b"\x00\x23\x89"), (rfc1902.OctetString, "x" * 300),
        (rfc1902.Counter32, 0), (rfc1902.Counter32, 2**32 - 1), (rfc1902.Gauge32, 128), (rfc1902.Unsigned32, 4094),
        (rfc1902.TimeTicks, 2**31), (rfc1902.Counter64, 2**64 - 1), (rfc1902.Counter64, 255),
        (rfc1902.ObjectIdentifier, (1, 3, 6, 1, 4, 1, 43, 1, 16, 4, 3, 52)), (rfc1902.ObjectIdentifier, (0, 0)),
        (rfc1902.IpAddress, "10.0.10.1"),
    ],
)
def test_fast_value_codec_matches_pyasn1(value) -> None:
    from pyasn1.codec.ber import encoder

    from agent.snmp import fastpath

    assert fastpath.encode_value(value) == encoder.encode(to_asn1(value))
