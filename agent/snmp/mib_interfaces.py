"""IF-MIB: ifNumber, ifTable (1.3.6.1.2.1.2.2) and ifXTable (1.3.6.1.2.1.31.1.1).

Rows: every physical port (ifIndex = the port's position in the chassis, which is also its
BRIDGE-MIB port number), NULL0, and every Vlan-interface (ifIndex = 10000 + VLAN id), so an
index never moves when interfaces are created or deleted. Names are the CLI's full names.

Counters are emulated: an interface whose operational state is up carries a steady, per
interface traffic rate; the octet and packet counters accumulate while it is up and never go
back (until the device reboots, which is a counter discontinuity as on real hardware).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from agent.snmp.cliapply import cli_text_ok, decode
from agent.snmp.mib_system import uptime_ticks
from agent.snmp.oidtree import (
    COUNTER32,
    COUNTER64,
    GAUGE32,
    INTEGER,
    MAX32,
    MAX64,
    OID,
    STRING,
    TICKS,
    Oid,
    Section,
    SetError,
    Writable,
)

INTERFACES = (1, 3, 6, 1, 2, 1, 2)
IF_NUMBER = INTERFACES + (1, 0)
IF_ENTRY = INTERFACES + (2, 1)
IF_MIB = (1, 3, 6, 1, 2, 1, 31)
IFX_ENTRY = IF_MIB + (1, 1, 1)
IF_TABLE_LAST_CHANGE = IF_MIB + (1, 5, 0)
IF_ALIAS = IFX_ENTRY + (18,)

NULL0_IFINDEX = 5000
VLANIF_BASE = 10000
IFTYPE_OTHER, IFTYPE_ETHERNET, IFTYPE_L3IPVLAN = 1, 6, 136
UP, DOWN = 1, 2
MAX_ALIAS = 80  # `description <1-80>`
MTU = 1500


@dataclass(slots=True)
class Interface:
    """One ifTable row, resolved from the device."""

    ifindex: int
    name: str
    iftype: int
    speed_bps: int
    mac: bytes
    admin_up: bool
    oper_up: bool
    alias: str
    connector: bool
    rate: int  # emulated bytes per second in each direction while up


def mac_bytes(text: str) -> bytes:
    """``0023-8912-0000`` -> 6 bytes."""
    return bytes.fromhex(text.replace("-", "").replace(":", "").replace(".", ""))


def interfaces(device: Any) -> list[Interface]:
    """Every interface in ifIndex order (call with ``device.lock`` held)."""
    out = []
    for port in sorted(device.ports.values(), key=lambda p: p.ordinal):
        out.append(
            Interface(
                ifindex=port.ordinal,
                name=port.name,
                iftype=IFTYPE_ETHERNET,
                speed_bps=port.speed_bps,
                mac=mac_bytes(device.port_mac(port)),
                admin_up=not port.shutdown,
                oper_up=port.link == "UP",
                alias=port.description or "",
                connector=True,
                rate=20_000 + (port.ordinal * 7919) % 90_000,
            )
        )
    out.append(Interface(NULL0_IFINDEX, "NULL0", IFTYPE_OTHER, 0, b"", True, True, "", False, 0))
    bridge_mac = mac_bytes(device.mac(0))
    for vid in sorted(device.vlan_interfaces):
        vif = device.vlan_interfaces[vid]
        out.append(
            Interface(
                ifindex=VLANIF_BASE + vid,
                name=vif.name,
                iftype=IFTYPE_L3IPVLAN,
                speed_bps=0,
                mac=bridge_mac,
                admin_up=not vif.shutdown,
                oper_up=device.vlan_interface_up(vid),
                alias=vif.description or "",
                connector=False,
                rate=1_000 + (vid * 131) % 4_000,
            )
        )
    return out


class Counters:
    """Per-interface emulated traffic: accumulates while the interface is operationally up."""

    def __init__(self) -> None:
        self.boot_time: float | None = None
        # ifindex -> [in_octets, out_octets, last_sample_time, was_up, last_change_ticks]
        self.state: dict[int, list[Any]] = {}
        self.table_last_change = 0

    def sample(self, device: Any, rows: list[Interface]) -> dict[int, list[Any]]:
        now = time.time()
        if self.boot_time != device.boot_time:  # first sample or a reboot: start from zero
            self.boot_time = device.boot_time
            self.state = {}
            self.table_last_change = 0
        ticks = uptime_ticks(device)
        first = not self.state
        seen = set()
        for row in rows:
            seen.add(row.ifindex)
            st = self.state.get(row.ifindex)
            if st is None:
                # Assume an interface that is up now has been up since boot (created later: since now).
                since = device.boot_time if first or row.ifindex < NULL0_IFINDEX else now
                st = [0, 0, since, row.oper_up, 0 if since == device.boot_time else ticks]
                self.state[row.ifindex] = st
                if since != device.boot_time:
                    self.table_last_change = ticks
            if st[3]:
                elapsed = max(0.0, now - st[2])
                st[0] += int(row.rate * elapsed)
                st[1] += int(row.rate * 0.8 * elapsed)
            if st[3] != row.oper_up:
                st[4] = ticks
            st[2], st[3] = now, row.oper_up
        for gone in set(self.state) - seen:
            del self.state[gone]
            self.table_last_change = ticks
        return self.state


def section_interfaces(device: Any, counters: Counters) -> Section:
    def build() -> list[tuple[Oid, tuple[type, Any]]]:
        with device.lock:
            rows = interfaces(device)
        state = counters.sample(device, rows)
        out: list[tuple[Oid, tuple[type, Any]]] = [(IF_NUMBER, (INTEGER, len(rows)))]
        for r in rows:
            i = r.ifindex
            in_oct, out_oct, _, _, last_change = state[i]
            in_ucast, out_ucast = in_oct // 512, out_oct // 512
            in_nucast, out_nucast = in_oct // 20480, out_oct // 20480
            e = IF_ENTRY
            out += [
                (e + (1, i), (INTEGER, i)),
                (e + (2, i), (STRING, r.name)),
                (e + (3, i), (INTEGER, r.iftype)),
                (e + (4, i), (INTEGER, MTU)),
                (e + (5, i), (GAUGE32, min(r.speed_bps, MAX32))),
                (e + (6, i), (STRING, r.mac)),
                (e + (7, i), (INTEGER, UP if r.admin_up else DOWN)),
                (e + (8, i), (INTEGER, UP if r.oper_up else DOWN)),
                (e + (9, i), (TICKS, last_change)),
                (e + (10, i), (COUNTER32, in_oct & MAX32)),
                (e + (11, i), (COUNTER32, in_ucast & MAX32)),
                (e + (12, i), (COUNTER32, in_nucast & MAX32)),
                (e + (13, i), (COUNTER32, 0)),
                (e + (14, i), (COUNTER32, 0)),
                (e + (15, i), (COUNTER32, 0)),
                (e + (16, i), (COUNTER32, out_oct & MAX32)),
                (e + (17, i), (COUNTER32, out_ucast & MAX32)),
                (e + (18, i), (COUNTER32, out_nucast & MAX32)),
                (e + (19, i), (COUNTER32, 0)),
                (e + (20, i), (COUNTER32, 0)),
                (e + (21, i), (GAUGE32, 0)),
                (e + (22, i), (OID, (0, 0))),
            ]
        return out

    return Section(INTERFACES, build, ttl=0.5)


def section_ifmib(device: Any, counters: Counters) -> Section:
    def build() -> list[tuple[Oid, tuple[type, Any]]]:
        with device.lock:
            rows = interfaces(device)
        state = counters.sample(device, rows)
        out: list[tuple[Oid, tuple[type, Any]]] = []
        for r in rows:
            i = r.ifindex
            in_oct, out_oct = state[i][0], state[i][1]
            in_mc, out_mc = in_oct // 40960, out_oct // 40960
            in_bc, out_bc = in_oct // 40960, out_oct // 40960
            e = IFX_ENTRY
            out += [
                (e + (1, i), (STRING, r.name)),
                (e + (2, i), (COUNTER32, in_mc & MAX32)),
                (e + (3, i), (COUNTER32, in_bc & MAX32)),
                (e + (4, i), (COUNTER32, out_mc & MAX32)),
                (e + (5, i), (COUNTER32, out_bc & MAX32)),
                (e + (6, i), (COUNTER64, in_oct & MAX64)),
                (e + (7, i), (COUNTER64, (in_oct // 512) & MAX64)),
                (e + (8, i), (COUNTER64, in_mc & MAX64)),
                (e + (9, i), (COUNTER64, in_bc & MAX64)),
                (e + (10, i), (COUNTER64, out_oct & MAX64)),
                (e + (11, i), (COUNTER64, (out_oct // 512) & MAX64)),
                (e + (12, i), (COUNTER64, out_mc & MAX64)),
                (e + (13, i), (COUNTER64, out_bc & MAX64)),
                (e + (14, i), (INTEGER, 1 if r.iftype != IFTYPE_OTHER else 2)),
                (e + (15, i), (GAUGE32, r.speed_bps // 1_000_000)),
                (e + (16, i), (INTEGER, 2)),
                (e + (17, i), (INTEGER, 1 if r.connector else 2)),
                (e + (18, i), (STRING, r.alias)),
                (e + (19, i), (TICKS, 0)),
            ]
        out.append((IF_TABLE_LAST_CHANGE, (TICKS, counters.table_last_change)))
        return out

    def check_alias(oid: Oid, value: Any) -> tuple[str, str]:
        if len(oid) != len(IF_ALIAS) + 1:
            raise SetError("noCreation", "ifAlias is indexed by ifIndex")
        ifindex = oid[-1]
        with device.lock:
            target = next((r for r in interfaces(device) if r.ifindex == ifindex), None)
        if target is None:
            raise SetError("noCreation", f"no interface with ifIndex {ifindex}")
        if target.iftype == IFTYPE_OTHER:
            raise SetError("notWritable", "NULL0 has no description")
        return target.name, cli_text_ok(decode(value), MAX_ALIAS)

    def alias_lines(name: str, text: str) -> list[str]:
        return [f"interface {name}", f"description {text}" if text else "undo description", "quit"]

    def lines(prepared: tuple[str, str]) -> list[str]:
        return alias_lines(*prepared)

    def undo(prepared: tuple[str, str]) -> list[str]:
        name = prepared[0]
        with device.lock:
            target = next((r for r in interfaces(device) if r.name == name), None)
        return alias_lines(name, target.alias) if target is not None else []

    return Section(IF_MIB, build, ttl=0.5, writable={IF_ALIAS: Writable(STRING, check_alias, lines, undo)})
