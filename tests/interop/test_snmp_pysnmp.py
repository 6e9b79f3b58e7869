"""The SNMP agent over real UDP on 127.0.0.1, driven by pysnmp's client, netmiko's SNMPDetect
and raw datagrams (malformed input, wrong community, huge GETBULK)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import types

import pytest
from pyasn1.codec.ber import encoder
from pysnmp.hlapi.v3arch import asyncio as hl
from pysnmp.proto import api, rfc1905

from agent.snmp import agent as snmp_agent
from tests.helpers import agent_thread, cli

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.18"
IFX_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"


async def _target(port: int, timeout: float = 2.0, retries: int = 1) -> hl.UdpTransportTarget:
    return await hl.UdpTransportTarget.create(("127.0.0.1", port), timeout=timeout, retries=retries)


def pget(port: int, auth: object, *oids: str, timeout: float = 2.0, retries: int = 1):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        engine = hl.SnmpEngine()
        try:
            return await hl.get_cmd(engine, auth, await _target(port, timeout, retries), hl.ContextData(),
                                    *(hl.ObjectType(hl.ObjectIdentity(o)) for o in oids))
        finally:
            engine.close_dispatcher()

    return asyncio.run(go())


def pnext(port: int, auth: object, oid: str):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        engine = hl.SnmpEngine()
        try:
            return await hl.next_cmd(engine, auth, await _target(port), hl.ContextData(),
                                     hl.ObjectType(hl.ObjectIdentity(oid)), lexicographicMode=True)
        finally:
            engine.close_dispatcher()

    return asyncio.run(go())


def pset(port: int, auth: object, oid: str, value: object, *more: tuple[str, object]):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        engine = hl.SnmpEngine()
        try:
            return await hl.set_cmd(engine, auth, await _target(port), hl.ContextData(),
                                    *(hl.ObjectType(hl.ObjectIdentity(o), v) for o, v in ((oid, value), *more)))
        finally:
            engine.close_dispatcher()

    return asyncio.run(go())


PUBLIC = hl.CommunityData("public", mpModel=1)
PRIVATE = hl.CommunityData("private", mpModel=1)


def test_pysnmp_reads_system_group(device) -> None:
    with agent_thread(device) as agent:
        err, status, _, var_binds = pget(agent.port, PUBLIC, SYS_DESCR, SYS_NAME, "1.3.6.1.2.1.1.2.0")
        assert err is None and not status
        assert str(var_binds[0][1]) == device.profile.identity.sys_descr
        assert str(var_binds[1][1]) == device.sysname
        assert str(var_binds[2][1]) == "1.3.6.1.4.1.43.1.16.4.3.52"
        # v1 works too (the CW5 default "v3 only" is read leniently by default)
        err, status, _, var_binds = pget(agent.port, hl.CommunityData("public", mpModel=0), SYS_NAME)
        assert err is None and not status and str(var_binds[0][1]) == device.sysname


def test_set_with_write_community_changes_running_config(device) -> None:
    port = device.ports["GigabitEthernet2/0/5"]
    with agent_thread(device) as agent:
        err, status, _, _ = pset(agent.port, PRIVATE, SYS_NAME, hl.OctetString("dist-sw-9"))
        assert err is None and not status
        err, status, _, _ = pset(agent.port, PRIVATE, f"{IF_ALIAS}.{port.ordinal}", hl.OctetString("to rack 5"))
        assert err is None and not status
        config = cli(device, "display current-configuration")
        assert " sysname dist-sw-9" in config
        assert "interface GigabitEthernet2/0/5\r\n description to rack 5" in config
        # A read community may not write; a bad value is refused and changes nothing.
        err, status, _, _ = pset(agent.port, PUBLIC, SYS_NAME, hl.OctetString("nope"))
        assert err is None and status.prettyPrint() == "noAccess"
        err, status, _, _ = pset(agent.port, PRIVATE, SYS_NAME, hl.OctetString("has space"))
        assert status.prettyPrint() == "wrongValue"
        err, status, _, _ = pset(agent.port, PRIVATE, SYS_DESCR, hl.OctetString("x"))
        assert status.prettyPrint() == "notWritable"
        err, status, _, _ = pset(agent.port, PRIVATE, SYS_NAME, hl.Integer(5))
        assert status.prettyPrint() == "wrongType"
        assert device.sysname == "dist-sw-9"


def test_set_is_all_or_nothing(device, monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 3416 4.2.5: when the second varbind cannot be applied, the first one is undone too."""
    from agent.snmp import mib_interfaces

    port = device.ports["GigabitEthernet2/0/6"]
    with agent_thread(device) as agent:
        err, status, _, _ = pset(agent.port, PRIVATE, SYS_NAME, hl.OctetString("pair-a"),
                                 (f"{IF_ALIAS}.{port.ordinal}", hl.OctetString("both")))
        assert err is None and not status
        assert device.sysname == "pair-a" and port.description == "both"
        # The ifAlias CLI lines now fail (after the description line ran): nothing may stick.
        section = next(s for s in agent.tree.sections if s.prefix == mib_interfaces.IF_MIB)
        real = section.writable[mib_interfaces.IF_ALIAS]
        broken = dataclasses.replace(real, lines=lambda prepared: [*real.lines(prepared), "no-such-command"])
        monkeypatch.setitem(section.writable, mib_interfaces.IF_ALIAS, broken)
        before = device.render_configuration()
        err, status, index, _ = pset(agent.port, PRIVATE, SYS_NAME, hl.OctetString("pair-b"),
                                     (f"{IF_ALIAS}.{port.ordinal}", hl.OctetString("changed")))
        assert err is None and status.prettyPrint() == "commitFailed" and int(index) == 2
        assert device.sysname == "pair-a" and port.description == "both"
        assert device.render_configuration() == before
        _, status, _, var_binds = pget(agent.port, PUBLIC, SYS_NAME, f"{IF_ALIAS}.{port.ordinal}")
        assert not status and [str(v) for _, v in var_binds] == ["pair-a", "both"]


def test_cli_change_visible_in_next_get(device) -> None:
    with agent_thread(device) as agent:
        cli(device, "system-view", "sysname from-cli", "interface GigabitEthernet2/0/1", "description via ssh")
        _, _, _, var_binds = pget(agent.port, PUBLIC, SYS_NAME, f"{IF_ALIAS}.1")
        assert [str(v) for _, v in var_binds] == ["from-cli", "via ssh"]


def test_unknown_oids_and_end_of_mib(device) -> None:
    with agent_thread(device) as agent:
        _, status, _, var_binds = pget(agent.port, PUBLIC, "1.3.6.1.4.1.9.9.9.0", "1.3.6.1.2.1.2.2.1.2.424242")
        assert not status
        assert var_binds[0][1].tagSet == rfc1905.noSuchObject.tagSet
        assert var_binds[1][1].tagSet == rfc1905.noSuchInstance.tagSet
        _, status, _, rows = pnext(agent.port, PUBLIC, "1.3.6.1.2.1.99")
        assert not status and rows[0][1].tagSet == rfc1905.endOfMibView.tagSet
        # v1: an unknown OID is a noSuchName error
        _, status, _, _ = pget(agent.port, hl.CommunityData("public", mpModel=0), "1.3.6.1.4.1.9.9.9.0")
        assert status.prettyPrint() == "noSuchName"


def test_v1_getnext_never_returns_counter64(device) -> None:
    with agent_thread(device) as agent:
        _, status, _, rows = pnext(agent.port, hl.CommunityData("public", mpModel=0), IFX_HC_IN)
        assert not status
        oid, value = rows[0]
        assert not str(oid).startswith("1.3.6.1.2.1.31.1.1.1.6.")
        assert "Counter64" not in type(value).__name__


def test_v3_sha256_aes_user(device) -> None:
    cli(device, "system-view",
        "snmp-agent usm-user v3 netops grp authentication-mode sha256 Auth-Key-0001 privacy-mode aes128 Priv-Key-0001")
    user = hl.UsmUserData("netops", "Auth-Key-0001", "Priv-Key-0001",
                          authProtocol=hl.USM_AUTH_HMAC192_SHA256, privProtocol=hl.USM_PRIV_CFB128_AES)
    wrong = hl.UsmUserData("netops", "Auth-Key-0001", "Wrong-Priv-99",
                           authProtocol=hl.USM_AUTH_HMAC192_SHA256, privProtocol=hl.USM_PRIV_CFB128_AES)
    wrong_auth = hl.UsmUserData("netops", "Bad-Auth-Key-9", "Priv-Key-0001",
                                authProtocol=hl.USM_AUTH_HMAC192_SHA256, privProtocol=hl.USM_PRIV_CFB128_AES)
    with agent_thread(device) as agent:
        err, status, _, var_binds = pget(agent.port, user, SYS_DESCR)
        assert err is None and not status and str(var_binds[0][1]) == device.profile.identity.sys_descr
        err, _, _, _ = pget(agent.port, wrong_auth, SYS_DESCR, timeout=1, retries=0)
        assert err is not None  # wrongDigests report
        err, _, _, var_binds = pget(agent.port, wrong, SYS_DESCR, timeout=1, retries=0)
        assert err is not None or str(var_binds[0][1]) != device.profile.identity.sys_descr


def test_wrong_community_and_disabled_version_get_silence(device) -> None:
    with agent_thread(device) as agent:
        err, _, _, _ = pget(agent.port, hl.CommunityData("guess", mpModel=1), SYS_DESCR, timeout=0.5, retries=0)
        assert "timeout" in str(err).lower()
        cli(device, "system-view", "snmp-agent sys-info version v2c")  # v1 now off
        err, _, _, _ = pget(agent.port, hl.CommunityData("public", mpModel=0), SYS_DESCR, timeout=0.5, retries=0)
        assert "timeout" in str(err).lower()
        err, status, _, _ = pget(agent.port, PUBLIC, SYS_DESCR)
        assert err is None and not status
        # communities follow the configuration live
        cli(device, "system-view", "snmp-agent community read campus", "undo snmp-agent community public")
        err, _, _, _ = pget(agent.port, PUBLIC, SYS_DESCR, timeout=0.5, retries=0)
        assert "timeout" in str(err).lower()
        err, status, _, _ = pget(agent.port, hl.CommunityData("campus", mpModel=1), SYS_DESCR)
        assert err is None and not status


def _raw_request(port: int, payload: bytes, timeout: float = 1.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            return sock.recvfrom(65535)[0]
        except TimeoutError:
            return None


def _v2c_message(pdu: object, community: bytes = b"public") -> bytes:
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    msg = p.Message()
    p.apiMessage.set_defaults(msg)
    p.apiMessage.set_community(msg, community)
    p.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


def _decode_response(data: bytes):  # type: ignore[no-untyped-def]
    from pyasn1.codec.ber import decoder

    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    msg, _ = decoder.decode(data, asn1Spec=p.Message())
    return p.apiMessage.get_pdu(msg)


def test_huge_getbulk_is_bounded(device) -> None:
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    with agent_thread(device) as agent:
        pdu = p.GetBulkRequestPDU()
        p.apiBulkPDU.set_defaults(pdu)
        p.apiBulkPDU.set_non_repeaters(pdu, 0)
        p.apiBulkPDU.set_max_repetitions(pdu, 2147483647)
        p.apiBulkPDU.set_varbinds(pdu, [((1, 3, 6, 1), p.Null()), ((1, 3, 6, 1, 2, 1, 2), p.Null())])
        data = _raw_request(agent.port, _v2c_message(pdu))
        assert data is not None and len(data) <= snmp_agent.MAX_MESSAGE
        rsp = _decode_response(data)
        assert p.apiPDU.get_error_status(rsp) == 0
        rows = p.apiPDU.get_varbinds(rsp)
        assert 10 < len(rows) <= 2 * snmp_agent.MAX_REPETITIONS
        oids = [tuple(o) for o, _ in rows]
        assert oids[0] == (1, 3, 6, 1, 2, 1, 1, 1, 0)
        # GETNEXT with a varbind list whose answer cannot fit: tooBig, empty varbinds
        pdu = p.GetNextRequestPDU()
        p.apiPDU.set_defaults(pdu)
        p.apiPDU.set_varbinds(pdu, [((1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 2), p.Null())] * 400)
        data = _raw_request(agent.port, _v2c_message(pdu))
        assert data is not None
        rsp = _decode_response(data)
        assert p.apiPDU.get_error_status(rsp) == 1 and not p.apiPDU.get_varbinds(rsp)


def _message(version: int, pdu: object) -> bytes:
    p = api.PROTOCOL_MODULES[version]
    msg = p.Message()
    p.apiMessage.set_defaults(msg)
    p.apiMessage.set_community(msg, b"public")
    p.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


def _answer(data: bytes, version: int) -> tuple[int, int, list[tuple[tuple[int, ...], str, str]]]:
    from pyasn1.codec.ber import decoder

    p = api.PROTOCOL_MODULES[version]
    msg, _ = decoder.decode(data, asn1Spec=p.Message())
    pdu = p.apiMessage.get_pdu(msg)
    rows = []
    for oid, val in p.apiPDU.get_varbinds(pdu):
        kind = type(val).__name__
        moving = kind in ("TimeTicks", "Counter32", "Counter64")  # may tick between the two requests
        rows.append((tuple(oid), kind, "" if moving else val.prettyPrint()))
    return int(p.apiPDU.get_error_status(pdu)), int(p.apiPDU.get_error_index(pdu)), rows


def _requests() -> list[tuple[str, int, object]]:
    v1, v2 = api.SNMP_VERSION_1, api.SNMP_VERSION_2C
    hc_in, if_index = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6), (1, 3, 6, 1, 2, 1, 2, 2, 1, 1)
    out = []
    for name, version, tag, oids, bulk in [
        ("get", v2, "GetRequestPDU", [(1, 3, 6, 1, 2, 1, 1, 5, 0), (1, 3, 6, 1, 4, 1, 9, 9, 0), if_index + (99999,)], None),
        ("get v1 counter64", v1, "GetRequestPDU", [(1, 3, 6, 1, 2, 1, 1, 5, 0), hc_in + (1,)], None),
        ("next", v2, "GetNextRequestPDU", [(1, 3, 6, 1), hc_in, (1, 3, 6, 1, 2, 1, 99)], None),
        ("next v1 skips counter64", v1, "GetNextRequestPDU", [hc_in, (1, 3, 6, 1, 2, 1, 1, 1, 0)], None),
        ("next v1 end of mib", v1, "GetNextRequestPDU", [(1, 3, 6, 1, 2, 1, 1, 1, 0), (2, 0)], None),
        ("bulk", v2, "GetBulkRequestPDU", [(1, 3, 6, 1, 2, 1, 1, 1), if_index, (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)], (1, 7)),
        ("bulk capped repetitions", v2, "GetBulkRequestPDU", [if_index], (0, 2147483647)),
        ("bulk past the end", v2, "GetBulkRequestPDU", [(1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 16)], (0, 60)),
    ]:
        p = api.PROTOCOL_MODULES[version]
        pdu = getattr(p, tag)()
        if bulk is None:
            p.apiPDU.set_defaults(pdu)
        else:
            p.apiBulkPDU.set_defaults(pdu)
            p.apiBulkPDU.set_non_repeaters(pdu, bulk[0])
            p.apiBulkPDU.set_max_repetitions(pdu, bulk[1])
        p.apiPDU.set_varbinds(pdu, [(oid, p.Null()) for oid in oids])
        out.append((name, version, pdu))
    return out


def test_fast_path_and_pysnmp_path_answer_alike(device) -> None:
    """Both read paths call agent.snmp.readops: same OIDs, types, values, errors and GETBULK bounds."""
    with agent_thread(device) as agent:
        for name, version, pdu in _requests():
            datagram = _message(version, pdu)
            fast_before = agent.stats["fast"]
            fast = _raw_request(agent.port, datagram)
            assert agent.stats["fast"] == fast_before + 1, name
            handler, agent._transport.fast_handler = agent._transport.fast_handler, None
            try:
                slow = _raw_request(agent.port, datagram)
            finally:
                agent._transport.fast_handler = handler
            assert agent.stats["fast"] == fast_before + 1, name
            assert fast is not None and slow is not None, name
            fast_answer, slow_answer = _answer(fast, version), _answer(slow, version)
            assert fast_answer == slow_answer, name
            if name == "bulk capped repetitions":  # bounded by the request's size: no amplifier
                assert 0 < len(fast_answer[2]) < snmp_agent.MAX_REPETITIONS
                assert len(fast) < 10 * len(datagram) and len(slow) < 10 * len(datagram)
            if name == "next v1 skips counter64":
                assert fast_answer[2][0][1] != "Counter64"


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00",
        b"\x30\x82\xff\xff",  # length beyond the datagram
        b"\x30\x03\x02\x01\x01",  # a bare version
        bytes(range(256)),
        b"\x30\x26\x02\x01\x01\x04\x06public\xa5\x19\x02\x01\x01\x02\x01\x00\x02\x01\x00\x30\x0e\x30\x0c\x06\x08"
        b"\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00",  # GETBULK with a negative-looking layout
        b"\x30\x1a\x02\x01\x01\x04\x06public\xa0\x0d\x02\x01\x01\x02\x01\x00\x02\x01\x00\x30\x02\x05\x00",  # bad varbind list
        b"\x30\x19\x02\x01\x03" + b"\x30" * 20,  # v3 header garbage
    ],
)
def test_malformed_packets_never_break_the_agent(device, payload: bytes) -> None:
    with agent_thread(device) as agent:
        _raw_request(agent.port, payload, timeout=0.3)
        err, status, _, var_binds = pget(agent.port, PUBLIC, SYS_NAME)
        assert err is None and not status and str(var_binds[0][1]) == device.sysname


def test_random_datagrams_then_still_serving(device) -> None:
    import random

    rng = random.Random(5)
    base = _v2c_message(_get_pdu())
    with agent_thread(device) as agent:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for _ in range(300):
                data = bytearray(base)
                for _ in range(rng.randint(1, 6)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                sock.sendto(bytes(data[: rng.randint(1, len(data))]), ("127.0.0.1", agent.port))
        time.sleep(0.3)
        err, status, _, var_binds = pget(agent.port, PUBLIC, SYS_DESCR)
        assert err is None and not status


def _get_pdu():  # type: ignore[no-untyped-def]
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = p.GetRequestPDU()
    p.apiPDU.set_defaults(pdu)
    p.apiPDU.set_varbinds(pdu, [((1, 3, 6, 1, 2, 1, 1, 1, 0), p.Null())])
    return pdu


def _netmiko_cmdgen() -> types.SimpleNamespace:
    """netmiko 4.8's SNMPDetect was written for pysnmp 6 (``cmdgen.getCmd``, ``UdpTransportTarget(addr)``);
    give it the same names on top of pysnmp 7's hlapi."""

    def target(address, timeout=1.0, retries=5):  # type: ignore[no-untyped-def]
        obj = hl.UdpTransportTarget.__new__(hl.UdpTransportTarget)
        obj.transport_address = (socket.gethostbyname(address[0]), address[1])
        obj.__init__(timeout=timeout, retries=retries)
        return obj

    names = {n: getattr(hl, n) for n in dir(hl) if not n.startswith("_")}
    names.update(getCmd=hl.get_cmd, UdpTransportTarget=target, Udp6TransportTarget=target)
    return types.SimpleNamespace(**names)


def test_netmiko_snmpdetect_reads_sys_descr(device, monkeypatch: pytest.MonkeyPatch) -> None:
    from netmiko import snmp_autodetect

    monkeypatch.setattr(snmp_autodetect, "cmdgen", _netmiko_cmdgen())
    monkeypatch.setattr(snmp_autodetect, "SNMP_MODE", "v6_async")
    with agent_thread(device) as agent:
        detect = snmp_autodetect.SNMPDetect("127.0.0.1", snmp_version="v2c", community="public", snmp_port=agent.port)
        assert detect._get_snmp(SYS_DESCR) == device.profile.identity.sys_descr
        # netmiko's Comware patterns expect "HP Comware"/"H3C"; a 3Com sysDescr matches none of them.
        assert detect.autodetect() is None
        cli(device, "system-view",
            "snmp-agent usm-user v3 probe grp authentication-mode sha Probe-Auth-1 privacy-mode aes128 Probe-Priv-1")
        v3 = snmp_autodetect.SNMPDetect("127.0.0.1", snmp_version="v3", user="probe", auth_key="Probe-Auth-1",
                                        encrypt_key="Probe-Priv-1", auth_proto="sha", encrypt_proto="aes128",
                                        snmp_port=agent.port)
        assert v3._get_snmp(SYS_DESCR) == device.profile.identity.sys_descr
