"""`display ip interface [brief]` layouts."""

from __future__ import annotations

import ipaddress

from agent.device.device import Device


def ip_interface(device: Device) -> list[str]:
    lines: list[str] = []
    for vid in sorted(device.vlan_interfaces):
        vif = device.vlan_interfaces[vid]
        if lines:
            lines.append("")
        if vif.shutdown:
            state, proto = "Administratively DOWN", "DOWN"
        else:
            state = proto = "UP" if device.vlan_interface_up(vid) else "DOWN"
        lines += [f"{vif.name} current state: {state}", f"Line protocol current state: {proto}"]
        if vif.ip is None or vif.mask is None:
            continue
        net = ipaddress.IPv4Network(f"{vif.ip}/{vif.mask}", strict=False)
        lines += [f"Internet Address is {vif.ip}/{net.prefixlen} Primary",
                  f"Broadcast address: {net.broadcast_address}",
                  "The Maximum Transmit Unit: 1500 bytes",
                  "input packets : 0, bytes : 0, multicasts : 0",
                  "output packets : 0, bytes : 0, multicasts : 0",
                  "TTL invalid packet number:         0",
                  "ICMP packet input number:          0"]
        for label in ("Echo reply", "Unreachable", "Source quench", "Routing redirect", "Echo request",
                      "Router advert", "Router solicit", "Time exceed", "IP header bad", "Timestamp request",
                      "Timestamp reply", "Information request", "Information reply", "Netmask request",
                      "Netmask reply", "Unknown type"):
            lines.append(f"  {label + ':':<32}{0:>2}")
    return lines


def ip_interface_brief(device: Device) -> list[str]:
    lines = ["*down: administratively down", "(s): spoofing",
             "Interface                     Physical Protocol IP Address      Description"]
    for vid in sorted(device.vlan_interfaces):
        vif = device.vlan_interfaces[vid]
        state = "*down" if vif.shutdown else ("up" if device.vlan_interface_up(vid) else "down")
        proto = "up" if state == "up" else "down"
        desc = vif.description if vif.description is not None else vif.name + " Interface"
        lines.append(f"{vif.name:<30}{state:<9}{proto:<9}{(vif.ip or 'unassigned'):<16}{desc[:12]}")
    return lines
