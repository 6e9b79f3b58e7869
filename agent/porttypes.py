"""Ethernet port types: one table for every place that names, abbreviates or describes a port.

Profiles name port types (``GigabitEthernet: 48``), the device derives speeds from them, the CLI
offers them as interface keywords and prints their abbreviations, speeds and hardware in the
`display interface` layouts, and the SNMP agent reports their speed. Comware 5's types below;
another OS family would bring its own rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PortType:
    name: str  # as in interface names: GigabitEthernet2/0/1
    short: str  # `display interface brief`, `display vlan`: GE2/0/1
    speed_bps: int  # ifSpeed / ifHighSpeed
    brief_speed: str  # `display interface brief` speed column when up
    speed_text: str  # `display interface`: "<speed>-speed mode"
    hardware: str  # `display interface`: "Port hardware type is ..."
    media: str  # `display interface`: "Media type is ..."


PORT_TYPES: dict[str, PortType] = {
    t.name: t
    for t in (
        PortType("GigabitEthernet", "GE", 10**9, "1G(a)", "1000Mbps", "1000_BASE_T", "twisted pair"),
        PortType("Ten-GigabitEthernet", "XGE", 10**10, "10G(a)", "10Gbps", "10G_BASE_SR_XFP", "optical fiber"),
        PortType("FortyGigE", "FGE", 4 * 10**10, "40G(a)", "40Gbps", "40G_BASE_SR4_QSFP_PLUS", "optical fiber"),
    )
}
# Interfaces that are not ports, and their abbreviations
LOGICAL_SHORT_NAMES = {"Vlan-interface": "Vlan", "NULL": "NULL"}
_NAME_RE = re.compile(r"^([A-Za-z-]+?)(\d.*)$")


def short_name(name: str) -> str:
    """``GigabitEthernet2/0/1`` -> ``GE2/0/1``, ``Vlan-interface10`` -> ``Vlan10``."""
    match = _NAME_RE.match(name)
    if not match:
        return name
    kind = match.group(1)
    port = PORT_TYPES.get(kind)
    return (port.short if port is not None else LOGICAL_SHORT_NAMES.get(kind, kind)) + match.group(2)
