"""The VLAN feature's configuration: one `vlan N` section per VLAN."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device


def vlans(device: Device) -> list[Section]:
    out: list[Section] = []
    for vid in sorted(device.vlans):
        vlan = device.vlans[vid]
        lines = [f"vlan {vid}"]
        if vlan.name is not None:
            lines.append(f" name {vlan.name}")
        if vlan.description is not None:
            lines.append(f" description {vlan.description}")
        out.append(lines)
    return out
