"""A fast path for SNMPv1/v2c reads: GET, GETNEXT and GETBULK with a known community.

pysnmp builds every response as a tree of pyasn1 objects and BER-encodes it generically, which
costs ~50 microseconds per varbind; a poller walking ifTable pays that thousands of times. The
community-based read PDUs are simple enough to decode and encode directly, so this module
answers them from the OID tree with a small BER codec (a few microseconds per varbind).

Anything else -- SNMPv3, SET, an unknown community, a version that is switched off, or a
datagram this codec does not fully understand -- returns :data:`PASS` and goes to pysnmp's
engine, which does the standard processing (including counting and silently dropping).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from agent.snmp import readops
from agent.snmp.guard import InputGuard, bulk_budget, framing_problem
from agent.snmp.oidtree import (
    COUNTER32,
    COUNTER64,
    GAUGE32,
    INTEGER,
    IPADDRESS,
    OID,
    STRING,
    TICKS,
    UNSIGNED32,
    Oid,
    Value,
)

if TYPE_CHECKING:
    from agent.snmp.agent import SnmpAgent

log = logging.getLogger(__name__)
PASS = object()  # "not handled here": hand the datagram to pysnmp

GET, GETNEXT, RESPONSE, GETBULK = 0xA0, 0xA1, 0xA2, 0xA5
_MISSING = {"noSuchObject": b"\x80\x00", "noSuchInstance": b"\x81\x00", "endOfMibView": b"\x82\x00"}
TOO_BIG, NO_SUCH_NAME = 1, 2
_ERROR_STATUS = {"tooBig": TOO_BIG, "noSuchName": NO_SUCH_NAME}
_NO_ERROR = b"\x02\x01\x00" * 2  # error-status 0, error-index 0
_TAGS = {INTEGER: 0x02, STRING: 0x04, OID: 0x06, IPADDRESS: 0x40, COUNTER32: 0x41, GAUGE32: 0x42,
         UNSIGNED32: 0x42, TICKS: 0x43, COUNTER64: 0x46}


_Missing = readops.Missing


class _Malformed(Exception):
    pass


# ------------------------------------------------------------------ BER
def length(n: int) -> bytes:
    """A BER definite length."""
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:  # the common case, without a call to length()
        return bytes((tag, n)) + body
    return bytes((tag,)) + length(n) + body


def signed(value: int) -> bytes:
    """The content octets of a BER INTEGER."""
    return value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)


def _unsigned(value: int) -> bytes:
    return value.to_bytes(max(1, value.bit_length() // 8 + 1), "big")


def encode_integer(value: int) -> bytes:
    return tlv(0x02, signed(value))


def oid_body(oid: Oid) -> bytes:
    """The content octets of a BER OBJECT IDENTIFIER."""
    arcs = tuple(oid) + (0,) * (2 - len(oid)) if len(oid) < 2 else tuple(oid)
    out = bytearray()
    for arc in (arcs[0] * 40 + arcs[1], *arcs[2:]):
        if arc < 0x80:
            out.append(arc)
            continue
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def encode_oid(oid: Oid) -> bytes:
    return tlv(0x06, oid_body(oid))


def encode_value(value: Value) -> bytes:
    syntax, raw = value
    if callable(raw):
        raw = raw()
    tag = _TAGS[syntax]
    if tag == 0x04 or tag == 0x40:
        data = raw.encode("utf-8", "replace") if isinstance(raw, str) else bytes(raw)
        if tag == 0x40 and isinstance(raw, str):
            data = bytes(int(x) for x in raw.split("."))
        return tlv(tag, data)
    if tag == 0x06:
        return encode_oid(tuple(raw))
    if tag == 0x02:
        return tlv(tag, signed(int(raw)))
    return tlv(tag, _unsigned(int(raw)))


def read_tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``pos``; definite lengths only."""
    if pos + 2 > end:
        raise _Malformed
    tag = data[pos]
    n = data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if not 0 < k <= 4 or pos + k > end:
            raise _Malformed
        n = int.from_bytes(data[pos : pos + k], "big")
        pos += k
    if pos + n > end:
        raise _Malformed
    return tag, pos, pos + n


def _int(data: bytes, pos: int, end: int) -> tuple[int, int]:
    tag, s, e = read_tlv(data, pos, end)
    if tag != 0x02 or not 0 < e - s <= 5:
        raise _Malformed
    return int.from_bytes(data[s:e], "big", signed=True), e


def decode_oid(body: bytes) -> Oid:
    if not body or body[-1] & 0x80:
        raise _Malformed
    arcs: list[int] = []
    value = 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = (0, first) if first < 40 else (1, first - 40) if first < 80 else (2, first - 80)
    return head + tuple(arcs[1:])


# ------------------------------------------------------------------ requests
def handle(agent: SnmpAgent, data: bytes) -> bytes | None | object:
    """The response datagram, None to stay silent, or PASS for pysnmp."""
    try:
        return _handle(agent, data)
    except (_Malformed, ValueError, IndexError, OverflowError):
        return PASS
    except Exception:  # noqa: BLE001 - a bug here must not lose the request: pysnmp answers (genErr at worst)
        log.exception("SNMP fast path failed; falling back to pysnmp")
        return PASS


def _handle(agent: SnmpAgent, data: bytes) -> bytes | None | object:
    end = len(data)
    tag, pos, msg_end = read_tlv(data, 0, end)
    if tag != 0x30 or msg_end != end:
        return PASS
    version, pos = _int(data, pos, end)
    if version not in (0, 1):
        return PASS
    tag, s, e = read_tlv(data, pos, end)
    if tag != 0x04:
        return PASS
    community = data[s:e]
    pdu_tag, pos, pdu_end = read_tlv(data, e, end)
    if pdu_tag not in (GET, GETNEXT, GETBULK) or (pdu_tag == GETBULK and version == 0) or pdu_end != end:
        return PASS
    access = agent.community_access(community.decode("utf-8", "surrogateescape"), version)
    if access is None:
        return PASS  # unknown community or version off: pysnmp counts and drops it
    _, s, e = read_tlv(data, pos, end)  # request-id
    request_id_tlv = data[pos:e]
    if data[pos] != 0x02 or not 0 < e - s <= 5:
        return PASS
    a, pos = _int(data, e, end)  # error-status / non-repeaters
    b, pos = _int(data, pos, end)  # error-index / max-repetitions
    tag, pos, vbl_end = read_tlv(data, pos, end)
    if tag != 0x30 or vbl_end != end:
        return PASS
    oids: list[Oid] = []
    raws: list[bytes] = []
    while pos < vbl_end:
        tag, vs, ve = read_tlv(data, pos, vbl_end)
        if tag != 0x30:
            return PASS
        otag, os_, oe = read_tlv(data, vs, ve)
        if otag != 0x06:
            return PASS
        read_tlv(data, oe, ve)  # the (ignored) value must be well-formed
        oids.append(decode_oid(data[os_:oe]))
        raws.append(data[pos:ve])
        pos = ve
    agent.stats["requests"] += 1
    agent.stats["fast"] += 1
    limit = readops.size_limit(agent.max_message, None, 64 + len(community))
    try:
        if pdu_tag == GET:
            varbinds = readops.get(agent.tree, oids, _varbind, limit, version == 0)
        elif pdu_tag == GETNEXT:
            varbinds = readops.get_next(agent.tree, oids, _varbind, limit, version == 0)
        else:
            limit = min(limit, bulk_budget(len(data)))  # no reflection amplifier
            varbinds = readops.get_bulk(agent.tree, oids, a, b, _varbind, limit, agent.max_repetitions)
        status = index = 0
    except readops.ReadError as err:
        agent.stats["errors"] += 1
        status, index = _ERROR_STATUS[err.status], err.index
        varbinds = [] if status == TOO_BIG else raws
    head = _NO_ERROR if not status else encode_integer(status) + encode_integer(index)
    pdu = request_id_tlv + head + tlv(0x30, b"".join(varbinds))
    return tlv(0x30, tlv(0x02, signed(version)) + tlv(0x04, community) + tlv(RESPONSE, pdu))


def varbind_length(oid: Oid, value: Any) -> int:
    """The exact BER size of one varbind of our tree (the pysnmp path budgets with it too)."""
    return _varbind(oid, value)[1]


def _varbind(oid: Oid, value: Any) -> tuple[bytes, int]:
    """readops' encoder: one BER varbind and its size."""
    if value.__class__ is _Missing:
        vb = tlv(0x30, encode_oid(oid) + _MISSING[value.name])
    else:
        vb = tlv(0x30, encode_oid(oid) + encode_value(value))
    return vb, len(vb)


def make_transport(base: type) -> type:
    """A pysnmp asyncio UDP transport class that checks each datagram's framing
    (:mod:`agent.snmp.guard`), offers it to the fast path, and only then hands it to pysnmp,
    whose callback runs guarded: a decoder failure costs a counter, not a traceback."""

    class FastPathTransport(base):  # type: ignore[misc]
        fast_handler: Any = None
        guard: InputGuard | None = None

        def datagram_received(self, datagram: bytes, transportAddress: Any) -> None:  # noqa: N803
            guard = self.guard
            if guard is not None:
                guard.counts["in_pkts"] += 1
                problem = framing_problem(datagram)
                if problem is not None:
                    guard.malformed(str(transportAddress[0]), problem)
                    return
            handler = self.fast_handler
            if handler is not None:
                result = handler(datagram)
                if result is not PASS:
                    if result is not None and self.transport is not None:
                        self.transport.sendto(result, transportAddress)
                    return
            if self._callback_function is not None:
                self.loop.call_soon(self._guarded, transportAddress, datagram)

        def _guarded(self, address: Any, datagram: bytes) -> None:
            guard = self.guard
            if guard is not None:
                guard.request_size = len(datagram)
            try:
                self._callback_function(self, address, datagram)
            except Exception as exc:  # noqa: BLE001 - pysnmp/pyasn1 raising on hostile input
                if guard is None:
                    raise
                guard.malformed(str(address[0]), f"{type(exc).__name__} in the decoder")

    return FastPathTransport
