"""SNMPv2-MIB snmp group (1.3.6.1.2.1.11): the agent's own input counters.

``snmpInASNParseErrs`` is what a monitoring system watches for garbage arriving at an agent;
the counts come from :class:`agent.snmp.guard.InputGuard` (datagrams refused before decoding)
plus pysnmp's own counters (what its decoder refused later).
"""

from __future__ import annotations

from collections.abc import Callable

from agent.snmp.oidtree import COUNTER32, MAX32, Oid, Section

SNMP_GROUP = (1, 3, 6, 1, 2, 1, 11)
SNMP_IN_PKTS = SNMP_GROUP + (1, 0)
SNMP_IN_BAD_COMMUNITY_NAMES = SNMP_GROUP + (4, 0)
SNMP_IN_ASN_PARSE_ERRS = SNMP_GROUP + (6, 0)


def section(counters: Callable[[], dict[str, int]]) -> Section:
    """The group from ``counters()`` (keys ``in_pkts``, ``bad_community``, ``parse_errors``)."""

    def value(name: str) -> tuple[type, Callable[[], int]]:
        return (COUNTER32, lambda: counters().get(name, 0) & MAX32)

    def build() -> list[tuple[Oid, tuple[type, Callable[[], int]]]]:
        return [
            (SNMP_IN_PKTS, value("in_pkts")),
            (SNMP_IN_BAD_COMMUNITY_NAMES, value("bad_community")),
            (SNMP_IN_ASN_PARSE_ERRS, value("parse_errors")),
        ]

    return Section(SNMP_GROUP, build, ttl=3600.0)
