"""`display vlan` layouts (all, brief, one VLAN, the summary)."""

from __future__ import annotations

from agent.device.device import Device
from agent.porttypes import short_name


def _port_columns(names: list[str], indent: int = 4, width: int = 25) -> list[str]:
    out = []
    for i in range(0, len(names), 3):
        out.append((" " * indent + "".join(f"{n:<{width}}" for n in names[i : i + 3])).rstrip())
    return out


def vlan_detail(device: Device, vids: list[int]) -> list[str]:
    lines: list[str] = []
    for vid in vids:
        vlan = device.vlans[vid]
        vif = device.vlan_interfaces.get(vid)
        tagged, untagged = device.vlan_members(vid)
        if lines:
            lines.append("")
        lines += [f" VLAN ID: {vid}", " VLAN Type: static"]
        lines.append(f" Route Interface: {'configured' if vif is not None else 'not configured'}")
        if vif is not None and vif.ip is not None:
            lines += [f" IP Address: {vif.ip}", f" Subnet Mask: {vif.mask}"]
        lines += [f" Description: {vlan.display_description}", f" Name: {vlan.display_name}"]
        if tagged:
            lines.append(" Tagged   Ports:")
            lines += _port_columns([p.name for p in tagged])
        else:
            lines.append(" Tagged   Ports: none")
        if untagged:
            lines.append(" Untagged Ports:")
            lines += _port_columns([p.name for p in untagged])
        else:
            lines.append(" Untagged Ports: none")
    return lines


def vlan_summary(device: Device) -> list[str]:
    vids = sorted(device.vlans)
    items = ["1(default)" if v == 1 else str(v) for v in vids]
    lines = [f" Total {len(vids)} VLAN exist(s).", " The following VLANs exist:"]
    for i in range(0, len(items), 8):
        lines.append(" " + ", ".join(items[i : i + 8]) + ("," if i + 8 < len(items) else ""))
    return lines


def vlan_brief(device: Device) -> list[str]:
    lines = ["Brief information about all VLANs:", "Supported Minimum VLAN ID: 1",
             "Supported Maximum VLAN ID: 4094", "Default VLAN ID: 1",
             "VLAN ID   Name                             Port"]
    for vid in sorted(device.vlans):
        tagged, untagged = device.vlan_members(vid)
        members = {p.ordinal: p for p in (*tagged, *untagged)}
        names = [short_name(members[k].name) for k in sorted(members)]
        name = device.vlans[vid].display_name[:32]
        first = names[:3]
        lines.append(f"{vid:<10}{name:<33}{'  '.join(f'{n:<8}' for n in first)}".rstrip())
        for i in range(3, len(names), 3):
            lines.append((" " * 43 + "  ".join(f"{n:<8}" for n in names[i : i + 3])).rstrip())
    return lines
