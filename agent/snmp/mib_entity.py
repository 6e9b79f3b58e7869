"""ENTITY-MIB entPhysicalTable (1.3.6.1.2.1.47.1.1.1): chassis, slots, boards and ports from the profile.

entPhysicalIndex layout (stable, independent of configuration): 1 = chassis, 100 + slot = the
slot container, 200 + slot = the board in it, 1000 + port position = a port on that board.
"""

from __future__ import annotations

from typing import Any

from agent.snmp.oidtree import INTEGER, OID, STRING, Oid, Section, parse_oid

ENTITY = (1, 3, 6, 1, 2, 1, 47)
ENT_PHYSICAL_ENTRY = ENTITY + (1, 1, 1, 1)
CHASSIS, CONTAINER, MODULE, PORT = 3, 5, 9, 10
TRUE, FALSE = 1, 2
CHASSIS_INDEX = 1
SLOT_BASE, BOARD_BASE, PORT_BASE = 100, 200, 1000
ZERO_DOT_ZERO = (0, 0)


def entities(device: Any) -> list[dict[str, Any]]:
    """entPhysicalTable rows as dicts (index order)."""
    ident = device.profile.identity
    software = f"{ident.software_version} Release {ident.release}"
    rows: list[dict[str, Any]] = [
        dict(index=CHASSIS_INDEX, descr=ident.model, vendor_type=parse_oid(ident.sys_object_id), contained_in=0,
             cls=CHASSIS, rel_pos=-1, name=ident.model, software="", serial="", model=ident.model, fru=FALSE),
    ]
    ports_by_slot: dict[int, list[Any]] = {}
    for port in device.ports.values():
        ports_by_slot.setdefault(port.slot, []).append(port)
    for spec in sorted(device.profile.chassis, key=lambda s: s.slot):
        rows.append(dict(index=SLOT_BASE + spec.slot, descr=f"Slot {spec.slot}", vendor_type=ZERO_DOT_ZERO,
                         contained_in=CHASSIS_INDEX, cls=CONTAINER, rel_pos=spec.slot, name=f"slot {spec.slot}",
                         software="", serial="", model="", fru=FALSE))
        role = "Main Processing Unit" if spec.kind == "MPU" else "Line Processing Unit"
        rows.append(dict(index=BOARD_BASE + spec.slot, descr=f"{spec.board} {role}", vendor_type=ZERO_DOT_ZERO,
                         contained_in=SLOT_BASE + spec.slot, cls=MODULE, rel_pos=1, name=f"board {spec.slot}",
                         software=software, serial=spec.board_serial, model=spec.board, fru=TRUE))
        for port in sorted(ports_by_slot.get(spec.slot, []), key=lambda p: p.ordinal):
            rows.append(dict(index=PORT_BASE + port.ordinal, descr=port.name, vendor_type=ZERO_DOT_ZERO,
                             contained_in=BOARD_BASE + spec.slot, cls=PORT, rel_pos=port.index, name=port.name,
                             software="", serial="", model="", fru=FALSE))
    rows.sort(key=lambda r: r["index"])
    return rows


def section(device: Any) -> Section:
    vendor = device.profile.identity.vendor

    def build() -> list[tuple[Oid, tuple[type, Any]]]:
        with device.lock:
            rows = entities(device)
        out: list[tuple[Oid, tuple[type, Any]]] = []
        e = ENT_PHYSICAL_ENTRY
        for r in rows:
            i = r["index"]
            out += [
                (e + (2, i), (STRING, r["descr"])),
                (e + (3, i), (OID, r["vendor_type"])),
                (e + (4, i), (INTEGER, r["contained_in"])),
                (e + (5, i), (INTEGER, r["cls"])),
                (e + (6, i), (INTEGER, r["rel_pos"])),
                (e + (7, i), (STRING, r["name"])),
                (e + (8, i), (STRING, "")),
                (e + (9, i), (STRING, "")),
                (e + (10, i), (STRING, r["software"])),
                (e + (11, i), (STRING, r["serial"])),
                (e + (12, i), (STRING, vendor)),
                (e + (13, i), (STRING, r["model"])),
                (e + (14, i), (STRING, "")),
                (e + (15, i), (STRING, "")),
                (e + (16, i), (INTEGER, r["fru"])),
            ]
        return out

    return Section(ENTITY, build, ttl=60.0)
