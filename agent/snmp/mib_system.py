"""SNMPv2-MIB system group (1.3.6.1.2.1.1): identity from the profile, names from the device."""

from __future__ import annotations

import re
from typing import Any

from agent.snmp.cliapply import cli_text_ok, decode
from agent.snmp.oidtree import INTEGER, MAX32, OID, STRING, TICKS, Oid, Section, SetError, Writable, parse_oid

SYSTEM = (1, 3, 6, 1, 2, 1, 1)
SYS_DESCR = SYSTEM + (1, 0)
SYS_OBJECT_ID = SYSTEM + (2, 0)
SYS_UPTIME = SYSTEM + (3, 0)
SYS_CONTACT = SYSTEM + (4, 0)
SYS_NAME = SYSTEM + (5, 0)
SYS_LOCATION = SYSTEM + (6, 0)
SYS_SERVICES = SYSTEM + (7, 0)
SYS_OR_LAST_CHANGE = SYSTEM + (8, 0)
SERVICES_L2_L3 = 2 | 4  # datalink/subnetwork (bridge) + internet (IP routing on VLAN interfaces)
_SYSNAME_RE = re.compile(r"^[A-Za-z0-9.\-_@()/:]{1,48}$")  # the CLI's `sysname` rule
MAX_SYS_INFO = 200  # `snmp-agent sys-info contact|location <1-200>`


def uptime_ticks(device: Any) -> int:
    """Hundredths of a second since the device (re)booted, wrapping like TimeTicks."""
    return int(device.uptime_seconds * 100) & MAX32


def section(device: Any) -> Section:
    ident = device.profile.identity
    object_id = parse_oid(ident.sys_object_id)

    def build() -> list[tuple[Oid, tuple[type, Any]]]:
        with device.lock:
            return [
                (SYS_DESCR, (STRING, ident.sys_descr)),
                (SYS_OBJECT_ID, (OID, object_id)),
                (SYS_UPTIME, (TICKS, lambda: uptime_ticks(device))),
                (SYS_CONTACT, (STRING, device.snmp.contact_text)),
                (SYS_NAME, (STRING, device.sysname)),
                (SYS_LOCATION, (STRING, device.snmp.location_text)),
                (SYS_SERVICES, (INTEGER, SERVICES_L2_L3)),
                (SYS_OR_LAST_CHANGE, (TICKS, 0)),
            ]

    def check_name(oid: Oid, value: Any) -> str:
        text = decode(value)
        if not _SYSNAME_RE.match(text):
            raise SetError("wrongValue" if text else "wrongLength", "not a valid sysname")
        return text

    def name_lines(text: str) -> list[str]:
        return [f"sysname {text}"]

    def name_undo(_: str) -> list[str]:
        return [f"sysname {device.sysname}"]

    def check_info(oid: Oid, value: Any) -> tuple[str, str]:
        kind = "contact" if oid == SYS_CONTACT else "location"
        return kind, cli_text_ok(decode(value), MAX_SYS_INFO)

    def info_line(kind: str, text: str | None) -> str:
        return f"snmp-agent sys-info {kind} {text}" if text else f"undo snmp-agent sys-info {kind}"

    def info_lines(prepared: tuple[str, str]) -> list[str]:
        return [info_line(*prepared)]

    def info_undo(prepared: tuple[str, str]) -> list[str]:
        kind = prepared[0]
        return [info_line(kind, device.snmp.contact if kind == "contact" else device.snmp.location)]

    writable: dict[Oid, Writable] = {
        SYS_NAME[:-1]: Writable(STRING, check_name, name_lines, name_undo),
        SYS_CONTACT[:-1]: Writable(STRING, check_info, info_lines, info_undo),
        SYS_LOCATION[:-1]: Writable(STRING, check_info, info_lines, info_undo),
    }
    # Only the .0 instance of these scalars is writable.
    writable = {stem: _scalar_only(w) for stem, w in writable.items()}
    return Section(SYSTEM, build, ttl=5.0, writable=writable)


def _scalar_only(setter: Writable) -> Writable:
    def check(oid: Oid, value: Any) -> Any:
        if oid[-1] != 0 or len(oid) != len(SYSTEM) + 2:
            raise SetError("noCreation", "scalars have only the .0 instance")
        return setter.check(oid, value)

    return Writable(setter.syntax, check, setter.lines, setter.undo)
