"""`display snmp-agent sys-info` layout."""

from __future__ import annotations

from agent.device.device import Device


def snmp_sys_info(device: Device, which: str | None) -> list[str]:
    snmp = device.snmp
    lines: list[str] = []
    if which in (None, "contact"):
        lines += ["The contact person for this managed node:", f"        {snmp.contact_text}", ""]
    if which in (None, "location"):
        lines += ["The physical location of this node:", f"        {snmp.location_text}", ""]
    if which in (None, "version"):
        names = {"v1": "SNMPv1", "v2c": "SNMPv2c", "v3": "SNMPv3"}
        lines += ["SNMP version running in the system:", "        " + " ".join(names[v] for v in snmp.versions)]
    return lines
