"""Text of the `display` commands, laid out as Comware 5 prints them.

The layouts of `display interface [brief]`, `display vlan all|brief`, `display mac-address`,
`display clock`, `display device manuinfo` and `display ip interface` are the ones the
ntc-templates ``hp_comware`` templates parse (several of those templates reject any line they
do not know, so nothing decorative may be added).
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization

from agent.device.device import Device
from agent.device.model import Port, VlanInterface, short_name
from agent.device.vlanset import display_list
from agent.keys import pubkeys

if TYPE_CHECKING:
    from agent.cli.session import CliSession


def _uptime_parts(seconds: float) -> tuple[int, int, int, int]:
    minutes = int(seconds // 60)
    return minutes // 10080, (minutes // 1440) % 7, (minutes // 60) % 24, minutes % 60


def version(device: Device) -> list[str]:
    lines, uptime_rows, board_rows = _version_layout(device)
    weeks, days, hours, minutes = _uptime_parts(device.uptime_seconds)
    out = list(lines)
    model_uptime = f"{device.profile.identity.model} uptime is {weeks} weeks, {days} days, {hours} hours, {minutes} minutes"
    board_uptime = f"Uptime is {weeks} weeks,{days} days,{hours} hours,{minutes} minutes"
    for row in uptime_rows:
        out[row] = model_uptime
    for row in board_rows:
        out[row] = board_uptime
    return out


# id(profile) -> (profile, layout): the profile is kept so that its id cannot be reused
_VERSION_LAYOUTS: dict[int, tuple[object, tuple[list[str], list[int], list[int]]]] = {}


def _version_layout(device: Device) -> tuple[list[str], list[int], list[int]]:
    """`display version` without its uptimes, and the rows they go in: built once per profile.

    Everything but the uptimes comes from the device profile, which does not change while the
    device runs, so only the two uptime strings are formatted per command.
    """
    profile = device.profile
    known = _VERSION_LAYOUTS.get(id(profile))
    if known is not None and known[0] is profile:
        return known[1]
    ident = profile.identity
    model = ident.model
    lines = ident.version_text.rstrip("\n").split("\n")
    uptime_rows = [len(lines)]
    lines.append("")
    board_rows: list[int] = []
    release = f"{model}-{ident.release}"
    slots = {s.slot: s for s in profile.chassis}
    first_mpu = min((s.slot for s in profile.chassis if s.kind == "MPU"), default=None)
    for number in range(0, max(slots, default=-1) + 1):
        lines.append("")
        spec = slots.get(number)
        if spec is None:
            lines.append(f"Slot {number} Without Board")
            continue
        if spec.kind == "MPU":
            role = "MPU(M)" if number == first_mpu else "MPU(S)"
            lines.append(f"{role} {number}:")
            board_rows.append(len(lines))
            lines += ["", f"{model} {role} with 1 BCM1125H Processor",
                      f"BOARD TYPE:         {spec.board}", "DRAM:               512M bytes",
                      "FLASH:              64M bytes", "NVRAM:              512K bytes",
                      "PCB 1 Version:      VER.C", "Bootrom Version:    500", "CPLD 1 Version:     003"]
        else:
            lines.append(f"LPU {number}:")
            board_rows.append(len(lines))
            lines += ["", f"{model} LPU with 1 XLS408 Processor",
                      f"BOARD TYPE:         {spec.board}", "DRAM:               1024M bytes",
                      "FLASH:              0M bytes", "NVRAM:              0K bytes",
                      "PCB 1 Version:      VER.B", "Bootware Version:   5.18", "CPLD 1 Version:     003"]
        lines += [f"Release Version:    {release}", "Patch Version  :    None"]
    if len(_VERSION_LAYOUTS) >= 64:
        _VERSION_LAYOUTS.clear()
    layout = (lines, uptime_rows, board_rows)
    _VERSION_LAYOUTS[id(profile)] = (profile, layout)
    return layout


def device_boards(device: Device) -> list[str]:
    ident = device.profile.identity
    lines = ["Slot No.  Brd Type        Brd Status   Subslot Num    Sft Ver"]
    first_mpu = min((s.slot for s in device.profile.chassis if s.kind == "MPU"), default=None)
    for spec in sorted(device.profile.chassis, key=lambda s: s.slot):
        status = ("Master" if spec.slot == first_mpu else "Slave") if spec.kind == "MPU" else "Normal"
        lines.append(f"{spec.slot:<10}{spec.board:<16}{status:<13}{0:<15}{ident.release}")
    return lines


def manuinfo(device: Device) -> list[str]:
    lines = ["Chassis self:", "", "Only new chassis support this command.",
             "  The operation is not supported on the specified chassis.", ""]
    for spec in sorted(device.profile.chassis, key=lambda s: s.slot):
        serial = spec.board_serial
        mac = device.mac(0).upper() if spec.kind == "MPU" else "NONE"
        lines += [f"Slot {spec.slot}:", f" DEVICE_NAME          : {spec.board}",
                  f" DEVICE_SERIAL_NUMBER : {serial}", f" MAC_ADDRESS          : {mac}",
                  " MANUFACTURING_DATE   : 2012-04-16", f" VENDOR_NAME          : {device.profile.identity.vendor}", ""]
    return lines[:-1]


# ------------------------------------------------------------------ interfaces
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
            speed = {"GigabitEthernet": "1G(a)", "Ten-GigabitEthernet": "10G(a)", "FortyGigE": "40G(a)"}[port.kind]
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
    hardware = {"GigabitEthernet": "1000_BASE_T", "Ten-GigabitEthernet": "10G_BASE_SR_XFP",
                "FortyGigE": "40G_BASE_SR4_QSFP_PLUS"}[port.kind]
    up = state == "UP"
    speed = {"GigabitEthernet": "1000Mbps", "Ten-GigabitEthernet": "10Gbps", "FortyGigE": "40Gbps"}[port.kind]
    lines = [
        f" {port.name} current state: {state}",
        f" IP Packet Frame Type: PKTFMT_ETHNT_2, Hardware Address: {mac}",
        f" Description: {port.description if port.description is not None else port.name + ' Interface'}",
        " Loopback is not set",
        " Media type is twisted pair" if port.kind == "GigabitEthernet" else " Media type is optical fiber",
        f" Port hardware type is  {hardware}",
        f" {speed}-speed mode, full-duplex mode" if up else " Unknown-speed mode, unknown-duplex mode",
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


# ------------------------------------------------------------------ VLANs and MAC table
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


# ------------------------------------------------------------------ users, SSH, keys
def users(device: Device, session: CliSession) -> list[str]:
    lines = ["  UI       Delay     Type  Userlevel"]
    infos = list(enumerate(device.sessions.infos()))
    for _, info in infos:
        idle = "00:00:00"
        mark = "+" if session.vty is not None and info.vty == session.vty else " "
        level = device.user_level(info.username)
        lines.append(f"{mark} {info.vty + 34:<3}VTY {info.vty:<3} {idle}  SSH   {level}")
    if not infos:
        mark = "+"
        lines.append(f"{mark} 34 VTY 0    00:00:00  SSH   {session.level}")
    lines += ["", "Following are more details."]
    for _, info in infos:
        lines += [f"VTY {info.vty}   :", f"        User name: {info.username}",
                  f"        Location: {info.peer.rsplit(':', 1)[0]}"]
    lines += [" +    : Current operation user.", " F    : Current operation user work in async mode."]
    return lines


def ssh_status(device: Device) -> list[str]:
    ssh = device.ssh
    return [f" SSH server: {'Enable' if ssh.enabled else 'Disable'}",
            f" SSH version : {device.ssh_protocol_version()}",
            f" SSH authentication-timeout : {ssh.authentication_timeout} second(s)",
            f" SSH server key generating interval : {ssh.rekey_interval_hours} hour(s)",
            f" SSH authentication retries : {ssh.authentication_retries} time(s)",
            " SFTP server: Disable", " SFTP server Idle-Timeout: 10 minute(s)"]


def ssh_sessions(device: Device) -> list[str]:
    infos = device.sessions.infos()
    if not infos:
        return []
    # The Encry column grows to the longest negotiated cipher name (e.g. aes128-gcm@openssh.com).
    width = max([9, *(len(info.cipher) + 1 for info in infos)])
    lines = [f" Conn      Ver  {'Encry':<{width}}State        Retry  SerType  Username"]
    for info in infos:
        conn = f"VTY {info.vty}"
        lines.append(f" {conn:<10}{info.version:<5}{info.cipher:<{width}}{info.state:<13}{info.retries:<7}"
                     f"{info.service:<9}{info.username}")
    return lines


def ssh_user_information(device: Device) -> list[str]:
    if not device.ssh_users:
        return [" Information: No SSH user exists."]
    lines = [f" Total ssh users : {len(device.ssh_users)}",
             " Username        Authentication-type  User-public-key-name  Service-type"]
    for name in sorted(device.ssh_users):
        su = device.ssh_users[name]
        lines.append(f" {name:<16}{su.authentication_type:<21}{(su.publickey or 'null'):<22}{su.service_type}")
    return lines


def local_users(device: Device) -> list[str]:
    lines: list[str] = []
    for name in sorted(device.local_users):
        user = device.local_users[name]
        lines += [f"  The contents of local user {name}:",
                  f"  State:                     {user.state.capitalize()}",
                  f"  ServiceType:               {' '.join(user.service_types) or '-'}",
                  "  Access-limit:              Disable           Current AccessNum: "
                  f"{sum(1 for i in device.sessions.infos() if i.username == name)}",
                  "  User-group:                system", "  Bind attributes:", "  Authorization attributes:",
                  f"   User Privilege:           {user.level or 0}"]
    lines.append(f"  Total {len(device.local_users)} local user(s) matched.")
    return lines


def local_rsa_public(device: Device) -> list[str]:
    store = device.host_keys
    if not store.has("rsa"):
        return [" Error: The local-key-pair does not exist."]
    key = store.rsa_private_key.public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1).hex().upper()
    created = time.strftime("%H:%M:%S  %Y/%m/%d", time.localtime(device.boot_time))
    lines = ["", "=====================================================", f"Time of Key pair created: {created}",
             "Key name: HOST_KEY", "Key type: RSA Encryption Key",
             "=====================================================", "Key code:"]
    lines += [der[i : i + 64] for i in range(0, len(der), 64)]
    return lines


def peer_keys(device: Device) -> list[str]:
    lines = []
    for name in sorted(device.peer_keys):
        key = device.peer_keys[name].key
        code = pubkeys.to_code(key)
        kind = type(key).__name__.replace("_", "").replace("PublicKey", "")
        lines += ["", "=====================================", f"Key name : {name}", f"Key type : {kind}",
                  f"Key module: {getattr(key, 'key_size', 256)}", "=====================================", "Key Code:"]
        lines += pubkeys.code_lines(code)
    return lines


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


def history(session: CliSession) -> list[str]:
    return [f"  {line}" for line in session.history]

