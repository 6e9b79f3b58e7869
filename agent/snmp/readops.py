"""GET, GETNEXT and GETBULK over an :class:`~agent.snmp.oidtree.OidTree`: the one implementation
that both the pysnmp responder (``agent.snmp.agent``) and the v1/v2c fast path
(``agent.snmp.fastpath``) call, so the OID walk, the v1 rules and the response limits cannot drift.

The caller supplies ``encode(oid, value) -> (varbind, size)``: ``value`` is a tree value
``(syntax, raw)`` or one of the exception markers below, ``varbind`` is whatever the caller puts
in its response (pyasn1 objects, or BER bytes) and ``size`` its (estimated or exact) encoded size
in bytes. Errors are raised as :class:`ReadError` with the SNMP error-status name and index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from agent.snmp.oidtree import COUNTER64, Oid, OidTree, Value

MAX_REPETITIONS = 100  # GETBULK max-repetitions cap (SnmpAgent.max_repetitions default)
MAX_VARBINDS = 1000  # varbinds in any one GETBULK response
MAX_MESSAGE = 8192  # our snmpEngineMaxMessageSize-like cap on a response message
MIN_MESSAGE = 484  # RFC 3417 3: every SNMP entity accepts messages of at least 484 octets

T = TypeVar("T")
Encode = Callable[[Oid, Any], tuple[T, int]]


class Missing:
    """An SNMPv2 exception value (RFC 3416 3): noSuchObject, noSuchInstance, endOfMibView."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NO_SUCH_OBJECT = Missing("noSuchObject")
NO_SUCH_INSTANCE = Missing("noSuchInstance")
END_OF_MIB_VIEW = Missing("endOfMibView")


class ReadError(Exception):
    """The request fails as a whole: ``status`` tooBig (index 0) or noSuchName (v1, 1-based index)."""

    def __init__(self, status: str, index: int) -> None:
        super().__init__(status)
        self.status = status
        self.index = index


def is_counter64(value: Value) -> bool:
    """RFC 2576 4.1.2.1: an SNMPv1 request never sees a Counter64 (GET: noSuchName, GETNEXT: skipped)."""
    return value[0] is COUNTER64


def size_limit(max_message: int, request_max: int | None, overhead: int) -> int:
    """Bytes available for the varbind list: the smaller of our cap and the requester's maximum
    message size (never below the 484 octets every entity accepts), less the message overhead."""
    size = min(request_max or max_message, max_message)
    return max(size, MIN_MESSAGE) - overhead


def get(tree: OidTree, oids: Sequence[Oid], encode: Encode[T], limit: int, v1: bool) -> list[T]:
    out = []
    size = 0
    for index, oid in enumerate(oids, 1):
        found = tree.get(oid)
        if found is None or (v1 and found[0] is COUNTER64):
            if v1:
                raise ReadError("noSuchName", index)
            value: Any = NO_SUCH_INSTANCE if found is None and tree.has_object(oid) else NO_SUCH_OBJECT
        else:
            value = found
        vb, vb_size = encode(oid, value)
        size += vb_size
        if size > limit:
            raise ReadError("tooBig", 0)
        out.append(vb)
    return out


def get_next(tree: OidTree, oids: Sequence[Oid], encode: Encode[T], limit: int, v1: bool) -> list[T]:
    skip = is_counter64 if v1 else None
    tree_next = tree.next
    out = []
    size = 0
    for index, oid in enumerate(oids, 1):
        found = tree_next(oid, skip)
        if found is None:
            if v1:
                raise ReadError("noSuchName", index)
            vb, vb_size = encode(oid, END_OF_MIB_VIEW)
        else:
            vb, vb_size = encode(found[0], found[1])
        size += vb_size
        if size > limit:
            raise ReadError("tooBig", 0)
        out.append(vb)
    return out


def get_bulk(  # noqa: PLR0913 - the GETBULK fields plus the caller's encoder and limits
    tree: OidTree,
    oids: Sequence[Oid],
    non_repeaters: int,
    max_repetitions: int,
    encode: Encode[T],
    limit: int,
    repetitions_cap: int = MAX_REPETITIONS,
) -> list[T]:
    """RFC 3416 4.2.3, bounded: at most ``repetitions_cap`` rows, :data:`MAX_VARBINDS` varbinds and
    ``limit`` bytes; the last row may be partial (any prefix is allowed). GETBULK is v2c/v3 only."""
    n = min(max(0, non_repeaters), len(oids))
    m = min(max(0, max_repetitions), repetitions_cap)
    out: list[T] = []
    size = 0
    if n:  # GETNEXT of the non-repeaters; tooBig when even they do not fit
        sizes: list[int] = []

        def counted(oid: Oid, value: Any) -> tuple[T, int]:
            vb, vb_size = encode(oid, value)
            sizes.append(vb_size)
            return vb, vb_size

        out = get_next(tree, oids[:n], counted, limit, False)
        size = sum(sizes)
    cursors = list(oids[n:])
    if not cursors:
        return out
    tree_next = tree.next
    for _ in range(m):
        all_end = True
        for i, oid in enumerate(cursors):
            found = tree_next(oid, None)
            if found is None:
                vb, vb_size = encode(oid, END_OF_MIB_VIEW)
            else:
                cursors[i] = found[0]
                all_end = False
                vb, vb_size = encode(found[0], found[1])
            if size + vb_size > limit or len(out) >= MAX_VARBINDS:
                return out
            size += vb_size
            out.append(vb)
        if all_end:
            break
    return out
