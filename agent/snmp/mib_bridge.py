"""BRIDGE-MIB basics (1.3.6.1.2.1.17) and Q-BRIDGE-MIB VLAN tables (1.3.6.1.2.1.17.7).

Bridge port numbers are the ports' positions in the chassis (the same as their ifIndex), so
the PortList bitmaps (port 1 = the most significant bit of the first octet) line up with
dot1dBasePortIfIndex.
"""

from __future__ import annotations

from typing import Any

from agent.snmp.mib_interfaces import mac_bytes
from agent.snmp.oidtree import COUNTER32, INTEGER, OID, STRING, TICKS, UNSIGNED32, Oid, Section

BRIDGE = (1, 3, 6, 1, 2, 1, 17)
DOT1D_BASE = BRIDGE + (1,)
DOT1D_BASE_PORT_ENTRY = DOT1D_BASE + (4, 1)
DOT1D_TP_AGING_TIME = BRIDGE + (4, 2, 0)
QBRIDGE = BRIDGE + (7, 1)
DOT1Q_BASE = QBRIDGE + (1,)
DOT1Q_VLAN_CURRENT_ENTRY = QBRIDGE + (4, 2, 1)
DOT1Q_VLAN_STATIC_ENTRY = QBRIDGE + (4, 3, 1)
DOT1Q_PORT_VLAN_ENTRY = QBRIDGE + (4, 5, 1)
MAX_VLAN = 4094
AGING_TIME = 300  # Comware default `mac-address timer aging`
ACTIVE, PERMANENT = 1, 2


def port_list(numbers: list[int], size: int) -> bytes:
    """PortList octets: bridge port n is bit (0x80 >> (n-1) % 8) of octet (n-1) // 8."""
    out = bytearray(size)
    for n in numbers:
        out[(n - 1) // 8] |= 0x80 >> ((n - 1) % 8)
    return bytes(out)


def vlan_membership(device: Any) -> dict[int, tuple[list[int], list[int]]]:
    """VLAN id -> (egress bridge ports, untagged bridge ports), for the VLANs that exist."""
    vids = sorted(device.vlans)
    members: dict[int, tuple[list[int], list[int]]] = {vid: ([], []) for vid in vids}
    for port in sorted(device.ports.values(), key=lambda p: p.ordinal):
        tagged, untagged = port.tagged_mask(), port.untagged_mask()
        both = tagged | untagged
        if not both:
            continue
        for vid in vids:
            if both >> vid & 1:
                egress, untag = members[vid]
                egress.append(port.ordinal)
                if untagged >> vid & 1:
                    untag.append(port.ordinal)
    return members


def section(device: Any) -> Section:
    def build() -> list[tuple[Oid, tuple[type, Any]]]:
        with device.lock:
            ports = sorted(device.ports.values(), key=lambda p: p.ordinal)
            members = vlan_membership(device)
            names = {vid: device.vlans[vid].display_name for vid in members}
            pvids = [(p.ordinal, p.effective_pvid) for p in ports]
            bridge_mac = mac_bytes(device.mac(0))
        size = (max((p.ordinal for p in ports), default=0) + 7) // 8
        out: list[tuple[Oid, tuple[type, Any]]] = [
            (DOT1D_BASE + (1, 0), (STRING, bridge_mac)),
            (DOT1D_BASE + (2, 0), (INTEGER, len(ports))),
            (DOT1D_BASE + (3, 0), (INTEGER, 2)),  # transparent-only
            (DOT1D_TP_AGING_TIME, (INTEGER, AGING_TIME)),
            (DOT1Q_BASE + (1, 0), (INTEGER, 1)),  # dot1qVlanVersionNumber
            (DOT1Q_BASE + (2, 0), (INTEGER, MAX_VLAN)),  # dot1qMaxVlanId
            (DOT1Q_BASE + (3, 0), (UNSIGNED32, MAX_VLAN)),  # dot1qMaxSupportedVlans
            (DOT1Q_BASE + (4, 0), (UNSIGNED32, len(members))),  # dot1qNumVlans
            (DOT1Q_BASE + (5, 0), (INTEGER, 2)),  # dot1qGvrpStatus disabled
        ]
        e = DOT1D_BASE_PORT_ENTRY
        for p in ports:
            n = p.ordinal
            out += [
                (e + (1, n), (INTEGER, n)),
                (e + (2, n), (INTEGER, n)),
                (e + (3, n), (OID, (0, 0))),
                (e + (4, n), (COUNTER32, 0)),
                (e + (5, n), (COUNTER32, 0)),
            ]
        empty = bytes(size)
        for vid, (egress, untagged) in members.items():
            eg, un = port_list(egress, size), port_list(untagged, size)
            c = DOT1Q_VLAN_CURRENT_ENTRY
            out += [
                (c + (3, 0, vid), (UNSIGNED32, vid)),
                (c + (4, 0, vid), (STRING, eg)),
                (c + (5, 0, vid), (STRING, un)),
                (c + (6, 0, vid), (INTEGER, PERMANENT)),
                (c + (7, 0, vid), (TICKS, 0)),
            ]
            s = DOT1Q_VLAN_STATIC_ENTRY
            out += [
                (s + (1, vid), (STRING, names[vid])),
                (s + (2, vid), (STRING, eg)),
                (s + (3, vid), (STRING, empty)),
                (s + (4, vid), (STRING, un)),
                (s + (5, vid), (INTEGER, ACTIVE)),
            ]
        v = DOT1Q_PORT_VLAN_ENTRY
        for n, pvid in pvids:
            out += [
                (v + (1, n), (UNSIGNED32, pvid)),
                (v + (2, n), (INTEGER, 1)),  # admitAll
                (v + (3, n), (INTEGER, 2)),  # ingress filtering false
            ]
        return out

    return Section(BRIDGE, build, ttl=5.0)
