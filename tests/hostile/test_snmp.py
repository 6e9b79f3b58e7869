"""SNMP under hostile datagrams: no tracebacks, bounded logs, no reflection amplifier.

The agent runs in a real ``switch-agent serve`` process. 10,000 malformed datagrams (random
bytes, truncated and mutated real requests, BER with lying lengths) must leave no traceback and
less than 100 KB of log, be counted in snmpInASNParseErrs, and leave the agent answering. No
response may be more than 10 times the size of its request (a tiny GETBULK used to get 46x).
"""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path

import pytest
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

from tests.interop.switch_process import free_port, running_switch

pytestmark = pytest.mark.interop  # attacks a device served on 127.0.0.1

SNMP_IN_ASN_PARSE_ERRS = (1, 3, 6, 1, 2, 1, 11, 6, 0)
COMMUNITY = "lab-ro"


def _message(pdu, community: str = COMMUNITY) -> bytes:  # type: ignore[no-untyped-def]
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    msg = p.Message()
    p.apiMessage.set_defaults(msg)
    p.apiMessage.set_community(msg, community)
    p.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


def _get(oid: tuple[int, ...]) -> bytes:
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = p.GetRequestPDU()
    p.apiPDU.set_defaults(pdu)
    p.apiPDU.set_varbinds(pdu, [(oid, p.Null())])
    return _message(pdu)


def _bulk(oid: tuple[int, ...], repetitions: int) -> bytes:
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = p.GetBulkRequestPDU()
    p.apiBulkPDU.set_defaults(pdu)
    p.apiBulkPDU.set_non_repeaters(pdu, 0)
    p.apiBulkPDU.set_max_repetitions(pdu, repetitions)
    p.apiBulkPDU.set_varbinds(pdu, [(oid, p.Null())])
    return _message(pdu)


def _ask(port: int, datagram: bytes, timeout: float = 1.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(datagram, ("127.0.0.1", port))
        try:
            return sock.recv(65536)
        except TimeoutError:
            return None


def _value(answer: bytes) -> object:
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    msg, _ = decoder.decode(answer, asn1Spec=p.Message())
    return p.apiPDU.get_varbinds(p.apiMessage.get_pdu(msg))[0][1]


def _malformed(rng: random.Random, bases: list[bytes]) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 120)))
    base = bytearray(rng.choice(bases))
    if kind == 1:
        return bytes(base[: rng.randint(0, len(base) - 1)])
    if kind == 2:
        for _ in range(rng.randint(1, 6)):
            base[rng.randrange(len(base))] = rng.randrange(256)
        return bytes(base)
    # a length octet that lies
    pos = rng.randrange(1, len(base))
    base[pos] = rng.choice([0x81, 0x82, 0x84, 0x7F, 0xFF, 0x00])
    return bytes(base)


@pytest.mark.slow
def test_ten_thousand_malformed_datagrams(tmp_path: Path) -> None:
    port = free_port()
    with running_switch(tmp_path / "sw", ["admin:lab-Secret-42:3"],
                        extra=["--snmp", f"127.0.0.1:{port}", "--snmp-community", COMMUNITY]) as switch:
        sys_name = (1, 3, 6, 1, 2, 1, 1, 5, 0)
        assert _ask(port, _get(sys_name)) is not None
        log_before = len(switch.log_text())
        rng = random.Random(12)
        bases = [_get(sys_name), _bulk((1, 3, 6, 1, 2, 1, 2), 5), _get(SNMP_IN_ASN_PARSE_ERRS)]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for i in range(10_000):
                sock.sendto(_malformed(rng, bases), ("127.0.0.1", port))
                if i % 200 == 199:
                    time.sleep(0.02)  # the receive buffer of a UDP socket is small: let the agent read
        time.sleep(1.0)
        answer = _ask(port, _get(SNMP_IN_ASN_PARSE_ERRS), timeout=5)
        assert answer is not None
        parse_errors = int(_value(answer))
        log = switch.log_text()[log_before:]
    print(f"snmpInASNParseErrs={parse_errors}; log grew {len(log)} bytes")
    assert "Traceback" not in log
    assert len(log) < 100_000
    assert parse_errors > 1000


@pytest.mark.slow
def test_no_response_is_ten_times_its_request(tmp_path: Path) -> None:
    port = free_port()
    with running_switch(tmp_path / "sw", ["admin:lab-Secret-42:3"],
                        extra=["--snmp", f"127.0.0.1:{port}", "--snmp-community", COMMUNITY]) as switch:
        worst = 0.0
        for oid in [(1, 3, 6, 1, 2, 1), (1, 3, 6, 1, 2, 1, 2, 2), (1, 3, 6, 1, 2, 1, 31), (1, 3)]:
            for repetitions in (1, 10, 50, 100, 1000, 100000):
                request = _bulk(oid, repetitions)
                answer = _ask(port, request)
                assert answer is not None
                worst = max(worst, len(answer) / len(request))
        assert switch.process.poll() is None
    print(f"largest response/request ratio {worst:.1f}")
    assert worst < 10


def test_no_community_unless_configured(tmp_path: Path) -> None:
    port = free_port()
    with running_switch(tmp_path / "sw", ["admin:lab-Secret-42:3"], extra=["--snmp", f"127.0.0.1:{port}"]):
        for community in ("public", "private", COMMUNITY):
            assert _ask(port, _message_get(community), timeout=0.5) is None


def _message_get(community: str) -> bytes:
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = p.GetRequestPDU()
    p.apiPDU.set_defaults(pdu)
    p.apiPDU.set_varbinds(pdu, [((1, 3, 6, 1, 2, 1, 1, 5, 0), p.Null())])
    return _message(pdu, community)
