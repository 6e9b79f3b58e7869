"""The interfaces' configuration: NULL0, VLAN interfaces (with their IP address), Ethernet ports.

Only what differs from the factory default is written (a trunk's permitted VLANs in lines of
ten items, ``undo port trunk permit vlan 1`` when VLAN 1 is not permitted ...).
"""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device
from agent.device.model import Port, VlanInterface
from agent.device.vlanset import ALL_VLANS, config_items

_PER_LINE = 10  # VLAN list items per configuration line


def _vlan_lines(prefix: str, mask: int, suffix: str = "") -> list[str]:
    if mask == ALL_VLANS and not suffix:
        return [f"{prefix} all"]
    items = config_items(mask)
    out = []
    for i in range(0, len(items), _PER_LINE):
        out.append(f"{prefix} {' '.join(items[i : i + _PER_LINE])}{suffix}")
    return out
def port_section(port: Port) -> Section:
    lines = [f"interface {port.name}"]
    if port.description is not None:
        lines.append(f" description {port.description}")
    if port.shutdown:
        lines.append(" shutdown")
    if port.link_type == "access":
        if port.access_vlan != 1:
            lines.append(f" port access vlan {port.access_vlan}")
    elif port.link_type == "trunk":
        lines.append(" port link-type trunk")
        permitted = port.trunk_permitted
        if not permitted & 2:
            lines.append(" undo port trunk permit vlan 1")
        rest = permitted & ~2 if permitted != ALL_VLANS else permitted
        if rest:
            lines.extend(_vlan_lines(" port trunk permit vlan", rest))
        if port.pvid != 1:
            lines.append(f" port trunk pvid vlan {port.pvid}")
    else:
        lines.append(" port link-type hybrid")
        if not (port.hybrid_untagged | port.hybrid_tagged) & 2:
            lines.append(" undo port hybrid vlan 1")
        if port.hybrid_tagged:
            lines.extend(_vlan_lines(" port hybrid vlan", port.hybrid_tagged, " tagged"))
        untagged = port.hybrid_untagged & ~2
        if untagged:
            lines.extend(_vlan_lines(" port hybrid vlan", untagged, " untagged"))
        if port.pvid != 1:
            lines.append(f" port hybrid pvid vlan {port.pvid}")
    return lines


def vlan_interface_section(vif: VlanInterface) -> Section:
    lines = [f"interface {vif.name}"]
    if vif.description is not None:
        lines.append(f" description {vif.description}")
    if vif.shutdown:
        lines.append(" shutdown")
    if vif.ip is not None:
        lines.append(f" ip address {vif.ip} {vif.mask}")
    return lines


def interface_section(device: Device, name: str) -> Section | None:
    """The section of one interface (``display current-configuration interface X``)."""
    if name == "NULL0":
        return ["interface NULL0"]
    port = device.ports.get(name)
    if port is not None:
        return port_section(port)
    if name.startswith("Vlan-interface") and name[14:].isdigit():
        vif = device.vlan_interfaces.get(int(name[14:]))
        if vif is not None:
            return vlan_interface_section(vif)
    return None


def interfaces(device: Device) -> list[Section]:
    out: list[Section] = [["interface NULL0"]]
    out.extend(vlan_interface_section(device.vlan_interfaces[vid]) for vid in sorted(device.vlan_interfaces))
    out.extend(port_section(port) for port in device.ports.values())
    return out
