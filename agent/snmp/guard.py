"""What reaches the SNMP agent before any decoder: framing checks, counters, quiet logging.

Every datagram is counted (``snmpInPkts``) and its outer BER framing is checked here, in a few
microseconds, before pysnmp sees it: pysnmp's decoder raised out of its asyncio callback on some
garbage (a ``TypeError`` deep in pyasn1), and asyncio wrote a 2 KB traceback for each 100-byte
datagram -- a lever to fill the disk. Malformed input is now counted (``snmpInASNParseErrs``)
and logged once per source address and minute with the number seen, never with a traceback;
whatever still fails inside pysnmp is caught around its callback and handled the same way.

Responses are also kept from being an amplifier: a GETBULK answer may carry at most
:data:`BULK_RATIO` times its request's size in varbinds, so no response is 10 times its request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("agent.snmp.agent")

BULK_RATIO = 8  # varbind bytes in a GETBULK answer per request byte (with the headers: < 10x)
LOG_INTERVAL = 60.0
_MAX_SOURCES = 4096
_VERSIONS = (0, 1, 3)


def bulk_budget(request_size: int) -> int:
    """Varbind bytes a GETBULK answer to a ``request_size``-byte request may carry."""
    return BULK_RATIO * request_size


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of a definite-length TLV; ValueError when it does not fit."""
    if pos + 2 > end:
        raise ValueError("truncated TLV")
    tag, n = data[pos], data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if not 0 < k <= 4 or pos + k > end:
            raise ValueError("bad length octets")
        n = int.from_bytes(data[pos : pos + k], "big")
        pos += k
    if pos + n > end:
        raise ValueError("length beyond the datagram")
    return tag, pos, pos + n


def framing_problem(data: bytes) -> str | None:
    """Why ``data`` is not an SNMP message at the outer level, or None when its framing is sound."""
    end = len(data)
    try:
        tag, pos, msg_end = _tlv(data, 0, end)
        if tag != 0x30 or msg_end != end:
            return "not one BER SEQUENCE"
        tag, s, e = _tlv(data, pos, end)
        if tag != 0x02 or not 0 < e - s <= 5:
            return "no version INTEGER"
        version = int.from_bytes(data[s:e], "big", signed=True)
        if version not in _VERSIONS:
            return f"unknown version {version}"
        expected = (0x04, None) if version != 3 else (0x30, 0x04)
        pos = e
        for want in expected:
            if want is None:
                break
            tag, _, pos = _tlv(data, pos, end)
            if tag != want:
                return "bad message header"
        tag, _, last = _tlv(data, pos, end)
        allowed = range(0xA0, 0xA9) if version != 3 else (0x30, 0x04)
        if tag not in allowed or last != end:
            return "bad PDU"
    except ValueError as exc:
        return str(exc)
    return None


class InputGuard:
    """Counters and the once-per-source-per-minute log of malformed datagrams."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.counts = {"in_pkts": 0, "parse_errors": 0}
        self.request_size = 0  # of the datagram pysnmp is processing now (its callbacks run one at a time)
        self._seen: dict[str, tuple[float, int]] = {}  # source -> (last logged, not logged since)

    def malformed(self, source: str, reason: str) -> None:
        self.counts["parse_errors"] += 1
        now = self.clock()
        logged, quiet = self._seen.get(source, (-LOG_INTERVAL, 0))
        if now - logged < LOG_INTERVAL:
            self._seen[source] = (logged, quiet + 1)
            return
        more = f" (and {quiet} more in the last minute)" if quiet else ""
        log.warning("SNMP: malformed datagram from %s: %s%s", source, reason, more)
        if len(self._seen) >= _MAX_SOURCES:
            self._seen = {s: v for s, v in self._seen.items() if now - v[0] < LOG_INTERVAL}
        self._seen[source] = (now, 0)
