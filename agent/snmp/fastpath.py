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
NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW = b"\x80\x00", b"\x81\x00", b"\x82\x00"
TOO_BIG, NO_SUCH_NAME = 1, 2
_TAGS = {INTEGER: 0x02, STRING: 0x04, OID: 0x06, IPADDRESS: 0x40, COUNTER32: 0x41, GAUGE32: 0x42,
         UNSIGNED32: 0x42, TICKS: 0x43, COUNTER64: 0x46}


class _Malformed(Exception):
    pass


# ------------------------------------------------------------------ BER
def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + _length(len(body)) + body


def _signed(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)


def _unsigned(value: int) -> bytes:
    return value.to_bytes(max(1, value.bit_length() // 8 + 1), "big")


def encode_oid(oid: Oid) -> bytes:
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
    return _tlv(0x06, bytes(out))


def encode_value(value: Value) -> bytes:
    syntax, raw = value
    if callable(raw):
        raw = raw()
    tag = _TAGS[syntax]
    if tag == 0x04 or tag == 0x40:
        data = raw.encode("utf-8", "replace") if isinstance(raw, str) else bytes(raw)
        if tag == 0x40 and isinstance(raw, str):
            data = bytes(int(x) for x in raw.split("."))
        return _tlv(tag, data)
    if tag == 0x06:
        return encode_oid(tuple(raw))
    if tag == 0x02:
        return _tlv(tag, _signed(int(raw)))
    return _tlv(tag, _unsigned(int(raw)))


def _read(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
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
    tag, s, e = _read(data, pos, end)
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
    tag, pos, msg_end = _read(data, 0, end)
    if tag != 0x30 or msg_end != end:
        return PASS
    version, pos = _int(data, pos, end)
    if version not in (0, 1):
        return PASS
    tag, s, e = _read(data, pos, end)
    if tag != 0x04:
        return PASS
    community = data[s:e]
    pdu_tag, pos, pdu_end = _read(data, e, end)
    if pdu_tag not in (GET, GETNEXT, GETBULK) or (pdu_tag == GETBULK and version == 0) or pdu_end != end:
        return PASS
    access = agent.community_access(community.decode("utf-8", "surrogateescape"), version)
    if access is None:
        return PASS  # unknown community or version off: pysnmp counts and drops it
    _, s, e = _read(data, pos, end)  # request-id
    request_id_tlv = data[pos:e]
    if data[pos] != 0x02 or not 0 < e - s <= 5:
        return PASS
    a, pos = _int(data, e, end)  # error-status / non-repeaters
    b, pos = _int(data, pos, end)  # error-index / max-repetitions
    tag, pos, vbl_end = _read(data, pos, end)
    if tag != 0x30 or vbl_end != end:
        return PASS
    request: list[tuple[Oid, bytes]] = []
    while pos < vbl_end:
        tag, vs, ve = _read(data, pos, vbl_end)
        if tag != 0x30:
            return PASS
        otag, os_, oe = _read(data, vs, ve)
        if otag != 0x06:
            return PASS
        _read(data, oe, ve)  # the (ignored) value must be well-formed
        request.append((decode_oid(data[os_:oe]), data[pos:ve]))
        pos = ve
    agent.stats["requests"] += 1
    agent.stats["fast"] += 1
    limit = agent.max_message - 64 - len(community)
    v1 = version == 0
    if pdu_tag == GET:
        status, index, varbinds = _get(agent, request, v1, limit)
    elif pdu_tag == GETNEXT:
        status, index, varbinds = _next(agent, request, v1, limit)
    else:
        status, index, varbinds = _bulk(agent, request, a, b, limit)
    if status:
        agent.stats["errors"] += 1
        varbinds = [] if status == TOO_BIG else [raw for _, raw in request]
    pdu = request_id_tlv + _tlv(0x02, _signed(status)) + _tlv(0x02, _signed(index)) + _tlv(0x30, b"".join(varbinds))
    return _tlv(0x30, _tlv(0x02, _signed(version)) + _tlv(0x04, community) + _tlv(RESPONSE, pdu))


def _get(agent: SnmpAgent, request: list[tuple[Oid, bytes]], v1: bool, limit: int) -> tuple[int, int, list[bytes]]:
    tree = agent.tree
    out = []
    size = 0
    for i, (oid, _) in enumerate(request, 1):
        found = tree.get(oid)
        if found is None or (v1 and found[0] is COUNTER64):
            if v1:
                return NO_SUCH_NAME, i, []
            value = NO_SUCH_INSTANCE if found is None and tree.has_object(oid) else NO_SUCH_OBJECT
        else:
            value = encode_value(found)
        vb = _tlv(0x30, encode_oid(oid) + value)
        size += len(vb)
        if size > limit:
            return TOO_BIG, 0, []
        out.append(vb)
    return 0, 0, out


def _next_vb(agent: SnmpAgent, oid: Oid, v1: bool) -> tuple[Oid, bytes, bool]:
    found = agent.tree.next(oid, _is_counter64 if v1 else None)
    if found is None:
        return oid, _tlv(0x30, encode_oid(oid) + END_OF_MIB_VIEW), True
    return found[0], _tlv(0x30, encode_oid(found[0]) + encode_value(found[1])), False


def _is_counter64(value: Value) -> bool:
    return value[0] is COUNTER64


def _next(agent: SnmpAgent, request: list[tuple[Oid, bytes]], v1: bool, limit: int) -> tuple[int, int, list[bytes]]:
    out = []
    size = 0
    for i, (oid, _) in enumerate(request, 1):
        _, vb, end = _next_vb(agent, oid, v1)
        if end and v1:
            return NO_SUCH_NAME, i, []
        size += len(vb)
        if size > limit:
            return TOO_BIG, 0, []
        out.append(vb)
    return 0, 0, out


def _bulk(agent: SnmpAgent, request: list[tuple[Oid, bytes]], non_repeaters: int, max_repetitions: int,
          limit: int) -> tuple[int, int, list[bytes]]:
    from agent.snmp.agent import MAX_VARBINDS

    n = min(max(0, non_repeaters), len(request))
    m = min(max(0, max_repetitions), agent.max_repetitions)
    out: list[bytes] = []
    size = 0
    for oid, _ in request[:n]:
        _, vb, _ = _next_vb(agent, oid, False)
        size += len(vb)
        if size > limit:
            return TOO_BIG, 0, []
        out.append(vb)
    cursors = [oid for oid, _ in request[n:]]
    for _ in range(m if cursors else 0):
        all_end = True
        for i, oid in enumerate(cursors):
            cursors[i], vb, end = _next_vb(agent, oid, False)
            all_end = all_end and end
            if size + len(vb) > limit or len(out) >= MAX_VARBINDS:
                return 0, 0, out
            size += len(vb)
            out.append(vb)
        if all_end:
            break
    return 0, 0, out


def make_transport(base: type) -> type:
    """A pysnmp asyncio UDP transport class that offers each datagram to the fast path first."""

    class FastPathTransport(base):  # type: ignore[misc, valid-type]
        fast_handler: Any = None

        def datagram_received(self, datagram: bytes, transportAddress: Any) -> None:  # noqa: N803
            handler = self.fast_handler
            if handler is not None:
                result = handler(datagram)
                if result is not PASS:
                    if result is not None and self.transport is not None:
                        self.transport.sendto(result, transportAddress)
                    return
            super().datagram_received(datagram, transportAddress)

    return FastPathTransport
