"""A dynamic OID tree: sorted OID -> value rows computed from the live device state.

The tree is a list of *sections*, one per MIB subtree (system, interfaces, bridge, ifMIB,
entity), each with a builder that returns that subtree's rows. Rows are built on demand, only for
the sections a request touches, and cached until the device announces a change (``invalidate``)
or ``ttl`` seconds pass (counters and uptimes move on their own). Lookups are ``bisect`` on a
sorted list of OID tuples, so a GETNEXT costs O(log n) once the section is built.

A value is ``(syntax, raw)``: ``syntax`` a pysnmp ``rfc1902`` class and ``raw`` a Python value
(or a zero-argument callable evaluated at read time, e.g. sysUpTime). Conversion to pyasn1
objects happens only for the varbinds that go into a response.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pysnmp.proto import rfc1902

Oid = tuple[int, ...]
Value = tuple[type, Any]
Rows = list[tuple[Oid, Value]]

# Syntax shortcuts used by the MIB modules.
INTEGER = rfc1902.Integer32
STRING = rfc1902.OctetString
OID = rfc1902.ObjectIdentifier
TICKS = rfc1902.TimeTicks
COUNTER32 = rfc1902.Counter32
COUNTER64 = rfc1902.Counter64
GAUGE32 = rfc1902.Gauge32
UNSIGNED32 = rfc1902.Unsigned32
IPADDRESS = rfc1902.IpAddress

MAX32 = 0xFFFFFFFF
MAX64 = 0xFFFFFFFFFFFFFFFF


def parse_oid(text: str) -> Oid:
    return tuple(int(x) for x in text.strip(".").split("."))


def to_asn1(value: Value) -> Any:
    """``(syntax, raw)`` -> a pysnmp value object (callables evaluated now)."""
    syntax, raw = value
    if callable(raw):
        raw = raw()
    if syntax is STRING and isinstance(raw, str):
        raw = raw.encode("utf-8", "replace")
    return syntax(raw)


class SetError(Exception):
    """A SET failure; ``status`` is an SNMPv2 error name (wrongValue, notWritable, ...)."""

    def __init__(self, status: str, message: str = "") -> None:
        super().__init__(message or status)
        self.status = status


@dataclass(slots=True)
class Writable:
    """A writable object, set through the CLI (``agent.snmp.cliapply.apply_set`` runs the lines).

    ``check(oid, value) -> prepared`` validates (raises SetError) and changes nothing;
    ``lines(prepared)`` are the CLI lines that make the change and ``undo(prepared)`` the lines
    that put back the value the device has *now* (called before anything is applied). Both run
    in system view and end there.
    """

    syntax: Any  # a pysnmp value class (untyped library): its tagSet is compared on SET
    check: Callable[[Oid, Any], Any]
    lines: Callable[[Any], list[str]]
    undo: Callable[[Any], list[str]]


@dataclass
class Section:
    """One MIB subtree: ``build()`` returns rows (any order) whose OIDs all start with ``prefix``."""

    prefix: Oid
    build: Callable[[], Iterable[tuple[Oid, Value]]]
    ttl: float = 0.5
    writable: dict[Oid, Writable] = field(default_factory=dict)  # column/object prefix -> setter
    _keys: list[Oid] = field(default_factory=list)
    _values: list[Value] = field(default_factory=list)
    _index: dict[Oid, int] = field(default_factory=dict)
    _generation: int = -1
    _built_at: float = 0.0

    def rows(self, generation: int, now: float) -> tuple[list[Oid], list[Value], dict[Oid, int]]:
        if self._generation != generation or now - self._built_at > self.ttl:
            pairs = sorted(self.build())
            self._keys = [k for k, _ in pairs]
            self._values = [v for _, v in pairs]
            self._index = {k: i for i, k in enumerate(self._keys)}
            self._generation = generation
            self._built_at = now
        return self._keys, self._values, self._index


class OidTree:
    """Sections sorted by prefix; GET, GETNEXT and SET lookups over them."""

    def __init__(self, sections: Iterable[Section] = ()) -> None:
        self.sections: list[Section] = sorted(sections, key=lambda s: s.prefix)
        self.generation = 0
        self._lock = threading.Lock()

    def add(self, section: Section) -> None:
        self.sections.append(section)
        self.sections.sort(key=lambda s: s.prefix)

    def invalidate(self, *_: Any) -> None:
        """Forget every cached row (the device changed)."""
        self.generation += 1

    def _section_for(self, oid: Oid) -> Section | None:
        for section in self.sections:
            if oid[: len(section.prefix)] == section.prefix:
                return section
        return None

    def get(self, oid: Oid) -> Value | None:
        """The value of an exact instance, or None."""
        section = self._section_for(oid)
        if section is None:
            return None
        with self._lock:
            keys, values, index = section.rows(self.generation, time.monotonic())
            i = index.get(oid)
            return values[i] if i is not None else None

    def has_object(self, oid: Oid) -> bool:
        """True when ``oid`` lies under an object that has at least one instance (noSuchInstance vs noSuchObject)."""
        section = self._section_for(oid)
        if section is None:
            return False
        with self._lock:
            keys, _, _ = section.rows(self.generation, time.monotonic())
        # An object is a column or scalar: the OID without its last arc (scalar .0) or its index.
        for cut in range(len(oid) - 1, len(section.prefix), -1):
            stem = oid[:cut]
            i = bisect_left(keys, stem)
            if i < len(keys) and keys[i][:cut] == stem:
                return cut < len(oid)
        return False

    def next(self, oid: Oid, skip: Callable[[Value], bool] | None = None) -> tuple[Oid, Value] | None:
        """The first instance after ``oid`` (lexicographic), or None at the end of the MIB view."""
        now = time.monotonic()
        for section in self.sections:
            plen = len(section.prefix)
            if oid[:plen] > section.prefix and len(oid) >= plen:
                continue  # the whole section sorts before oid
            with self._lock:
                keys, values, _ = section.rows(self.generation, now)
                i = bisect_right(keys, oid)
                while i < len(keys):
                    if skip is None or not skip(values[i]):
                        return keys[i], values[i]
                    i += 1
        return None

    def walk(self, start: Oid = ()) -> Iterable[tuple[Oid, Value]]:
        """Every instance after ``start`` (used by tests and the benchmark)."""
        oid = start
        while True:
            found = self.next(oid)
            if found is None:
                return
            yield found
            oid = found[0]

    def writable(self, oid: Oid) -> Writable | None:
        section = self._section_for(oid)
        if section is None:
            return None
        for stem, setter in section.writable.items():
            if oid[: len(stem)] == stem and len(oid) > len(stem):
                return setter
        return None
