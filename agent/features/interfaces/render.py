"""`display interface [brief]` and `display mac-address` layouts (ntc-templates parse them)."""

from __future__ import annotations

import ipaddress

from agent.device.device import Device
from agent.device.model import Port, VlanInterface
from agent.device.vlanset import display_list
from agent.porttypes import PORT_TYPES, short_name


def _prefix_len(mask: str) -> int:
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def interface_brief(device: Device, only: str | None = None) -> list[str]:
    lines: list[str] = []
    routed = []
    if only is None or only == "NULL0":
        routed.append(f"{'NULL0':<21}{'UP':<5}{'UP(s)':<9}{'--':<16}".rstrip())
    for vid, vif in sorted(device.vlan_interfaces.items()):
        if only is not None and only != vif.name:
            continue
        link = "ADM" if vif.shutdown else ("UP" if device.vlan_interface_up(vid) else "DOWN")
        proto = "UP" if link == "UP" else "DOWN"
        row = f"{short_name(vif.name):<21}{link:<5}{proto:<9}{(vif.ip or '--'):<16}{vif.description or ''}"
        routed.append(row.rstrip())
    if routed:
        lines += ["The brief information of interface(s) under route mode:",
                  "Link: ADM - administratively down; Stby - standby", "Protocol: (s) - spoofing",
                  "Interface            Link Protocol Main IP         Description", *routed]
    bridged = []
    for port in device.ports.values():
        if only is not None and only != port.name:
            continue
        if port.link == "UP":
            speed = PORT_TYPES[port.kind].brief_speed
            duplex = "F(a)"
        else:
            speed, duplex = "auto", "A"
        kind = port.link_type[0].upper()
        row = f"{short_name(port.name):<21}{port.link:<5}{speed:<8}{duplex:<7}{kind:<5}{port.effective_pvid:<5}"
        bridged.append((row + (port.description or "")).rstrip())
    if bridged:
        if lines:
            lines.append("")
        lines += ["The brief information of interface(s) under bridge mode:",
                  "Link: ADM - administratively down; Stby - standby",
                  "Speed or Duplex: (a)/A - auto; H - half; F - full",
                  "Type: A - access; T - trunk; H - hybrid",
                  "Interface            Link Speed   Duplex Type PVID Description", *bridged]
    return lines


def _port_block(device: Device, port: Port) -> list[str]:
    if port.shutdown:
        state = "DOWN ( Administratively )"
    else:
        state = "UP" if port.connected else "DOWN"
    mac = device.port_mac(port)
    kind = PORT_TYPES[port.kind]
    up = state == "UP"

    lines = [
        f" {port.name} current state: {state}",
        f" IP Packet Frame Type: PKTFMT_ETHNT_2, Hardware Address: {mac}",
        f" Description: {port.description if port.description is not None else port.name + ' Interface'}",
        " Loopback is not set",
        f" Media type is {kind.media}",
        f" Port hardware type is  {kind.hardware}",
        f" {kind.speed_text}-speed mode, full-duplex mode" if up else " Unknown-speed mode, unknown-duplex mode",
        " Link speed type is autonegotiation, link duplex type is autonegotiation",
        " Flow-control is not enabled",
        " The Maximum Frame Length is 1536",
        " Broadcast MAX-ratio: 100%",
        " Unicast MAX-ratio: 100%",
        " Multicast MAX-ratio: 100%",
        " Allow jumbo frame to pass",
        f" PVID: {port.effective_pvid}",
        " Mdi type: auto",
        " Link delay is 0(sec)",
        f" Port link-type: {port.link_type}",
    ]
    if port.link_type == "trunk":
        pvid_bit = 1 << port.pvid
        passing = port.trunk_permitted & _existing_mask(device)

        def fmt(mask: int) -> str:
            parts = display_list(mask & ~pvid_bit).split(", ") if mask & ~pvid_bit else []
            if mask & pvid_bit:
                parts.insert(0, f"{port.pvid}(default vlan)")
            return ", ".join(p for p in parts if p) or "none"

        lines += [f"  VLAN passing  : {fmt(passing)}", f"  VLAN permitted: {fmt(port.trunk_permitted)}",
                  "  Trunk port encapsulation: IEEE 802.1q"]
    else:
        tagged, untagged = port.tagged_mask(), port.untagged_mask()
        lines += [f"  Tagged   VLAN ID : {display_list(tagged) or 'none'}",
                  f"  Untagged VLAN ID : {display_list(untagged) or 'none'}"]
    lines += [
        " Port priority: 0",
        " Last clearing of counters:  Never",
        " Last 300 seconds input:  0 packets/sec 0 bytes/sec -%",
        " Last 300 seconds output:  0 packets/sec 0 bytes/sec -%",
        " Input (total):  0 packets, 0 bytes",
        "         0 unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        " Input (normal):  0 packets, - bytes",
        "         0 unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        " Input:  0 input errors, 0 runts, 0 giants, 0 throttles",
        "         0 CRC, 0 frame, - overruns, 0 aborts",
        "         - ignored, - parity errors",
        " Output (total): 0 packets, 0 bytes",
        "         0 unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        " Output (normal): 0 packets, - bytes",
        "         0 unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        " Output: 0 output errors, - underruns, - buffer failures",
        "         0 aborts, 0 deferred, 0 collisions, 0 late collisions",
        "         0 lost carrier, - no carrier",
    ]
    return lines


def _existing_mask(device: Device) -> int:
    mask = 0
    for vid in device.vlans:
        mask |= 1 << vid
    return mask


def _vlanif_block(device: Device, vif: VlanInterface) -> list[str]:
    if vif.shutdown:
        state, proto = "Administratively DOWN", "DOWN"
    else:
        state = proto = "UP" if device.vlan_interface_up(vif.vid) else "DOWN"
    lines = [f"{vif.name} current state: {state}", f"Line protocol current state: {proto}",
             f"Description: {vif.description if vif.description is not None else vif.name + ' Interface'}",
             "The Maximum Transmit Unit is 1500"]
    if vif.ip is not None:
        lines.append(f"Internet Address is {vif.ip}/{_prefix_len(vif.mask or '255.255.255.255')} Primary")
    else:
        lines.append("Internet protocol processing : disabled")
    mac = device.mac(0)
    lines += [f"IP Packet Frame Type: PKTFMT_ETHNT_2,  Hardware Address: {mac}",
              f"IPv6 Packet Frame Type: PKTFMT_ETHNT_2,  Hardware Address: {mac}",
              " Last clearing of counters:  Never",
              "    Last 300 seconds input rate: 0 bytes/sec, 0 bits/sec, 0 packets/sec",
              "    Last 300 seconds output rate: 0 bytes/sec, 0 bits/sec, 0 packets/sec",
              "    0 packets input, 0 bytes, 0 drops",
              "    0 packets output, 0 bytes, 0 drops"]
    return lines


def _null_block() -> list[str]:
    return ["NULL0 current state: UP", "Line protocol current state: UP (spoofing)", "Description: NULL0 Interface",
            "The Maximum Transmit Unit is 1500", "Internet protocol processing : disabled", "Physical is NULL DEV",
            " Last 300 seconds input:  0 bytes/sec 0 packets/sec",
            " Last 300 seconds output:  0 bytes/sec 0 packets/sec",
            " 0 packets input, 0 bytes, 0 drops", " 0 packets output, 0 bytes, 0 drops"]


def interfaces(device: Device, only: str | None = None) -> list[str]:
    blocks: list[list[str]] = []
    if only is None or only == "NULL0":
        blocks.append(_null_block())
    for vif in (device.vlan_interfaces[v] for v in sorted(device.vlan_interfaces)):
        if only is None or only == vif.name:
            blocks.append(_vlanif_block(device, vif))
    for port in device.ports.values():
        if only is None or only == port.name:
            blocks.append(_port_block(device, port))
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


def mac_table(device: Device) -> list[str]:
    lines = ["MAC ADDR       VLAN ID  STATE          PORT INDEX               AGING TIME(s)"]
    count = 0
    for port in device.ports.values():
        if port.link != "UP":
            continue
        vid = port.effective_pvid
        if vid not in device.vlans:
            continue
        count += 1
        mac = device.mac(0x10000 + port.ordinal)
        lines.append(f"{mac:<15}{vid:<9}{'Learned':<15}{port.name:<25}AGING")
    lines += ["", f"  ---  {count} mac address(es) found  ---"]
    return lines
