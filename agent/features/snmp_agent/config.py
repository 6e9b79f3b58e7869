"""The SNMP agent's configuration: enable, communities, sys-info, versions, USM users."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device


def snmp_agent(device: Device) -> list[Section]:
    snmp = device.snmp
    lines = [" snmp-agent"] if snmp.enabled else []
    for name, access in snmp.communities.items():
        lines.append(f" snmp-agent community {access} {name}")
    if snmp.contact is not None:
        lines.append(f" snmp-agent sys-info contact {snmp.contact}")
    if snmp.location is not None:
        lines.append(f" snmp-agent sys-info location {snmp.location}")
    if snmp.versions != ["v3"]:
        versions = "all" if snmp.versions == ["v1", "v2c", "v3"] else " ".join(snmp.versions)
        lines.append(f" snmp-agent sys-info version {versions}")
        if "v3" not in snmp.versions:
            lines.append(" undo snmp-agent sys-info version v3")
    lines.extend(f" snmp-agent usm-user {line}" for line in snmp.usm_users)
    return [lines] if lines else []
