"""Render the device state as Comware 5 configuration text.

Layout (as on a real CW5 switch): sections separated by a bare ``#``; global commands indented
one space; object headers (``vlan 10``, ``interface X``, ``local-user X``, ``user-interface vty
0 15``) at column 0 with their children one space in; the text ends with ``return``. Only what
differs from the factory default is written, and the parser (:mod:`agent.cli.loader`) starts
from factory defaults, so render -> parse -> render is the identity.
"""

from __future__ import annotations

from agent.device.device import Device
from agent.device.model import LocalUser, Port, VlanInterface
from agent.device.vlanset import ALL_VLANS, config_items
from agent.keys import pubkeys

Section = list[str]
_PER_LINE = 10  # VLAN list items per configuration line


def _vlan_lines(prefix: str, mask: int, suffix: str = "") -> list[str]:
    if mask == ALL_VLANS and not suffix:
        return [f"{prefix} all"]
    items = config_items(mask)
    out = []
    for i in range(0, len(items), _PER_LINE):
        out.append(f"{prefix} {' '.join(items[i : i + _PER_LINE])}{suffix}")
    return out


def port_section(port: Port) -> Section:
    lines = [f"interface {port.name}"]
    if port.description is not None:
        lines.append(f" description {port.description}")
    if port.shutdown:
        lines.append(" shutdown")
    if port.link_type == "access":
        if port.access_vlan != 1:
            lines.append(f" port access vlan {port.access_vlan}")
    elif port.link_type == "trunk":
        lines.append(" port link-type trunk")
        permitted = port.trunk_permitted
        if not permitted & 2:
            lines.append(" undo port trunk permit vlan 1")
        rest = permitted & ~2 if permitted != ALL_VLANS else permitted
        if rest:
            lines.extend(_vlan_lines(" port trunk permit vlan", rest))
        if port.pvid != 1:
            lines.append(f" port trunk pvid vlan {port.pvid}")
    else:
        lines.append(" port link-type hybrid")
        if not (port.hybrid_untagged | port.hybrid_tagged) & 2:
            lines.append(" undo port hybrid vlan 1")
        if port.hybrid_tagged:
            lines.extend(_vlan_lines(" port hybrid vlan", port.hybrid_tagged, " tagged"))
        untagged = port.hybrid_untagged & ~2
        if untagged:
            lines.extend(_vlan_lines(" port hybrid vlan", untagged, " untagged"))
        if port.pvid != 1:
            lines.append(f" port hybrid pvid vlan {port.pvid}")
    return lines


def vlan_interface_section(vif: VlanInterface) -> Section:
    lines = [f"interface {vif.name}"]
    if vif.description is not None:
        lines.append(f" description {vif.description}")
    if vif.shutdown:
        lines.append(" shutdown")
    if vif.ip is not None:
        lines.append(f" ip address {vif.ip} {vif.mask}")
    return lines


def local_user_section(user: LocalUser) -> Section:
    lines = [f"local-user {user.name}"]
    if user.password_hash is not None:
        lines.append(f" password cipher {user.password_hash}")
    if user.level is not None:
        lines.append(f" authorization-attribute level {user.level}")
    if user.service_types:
        lines.append(f" service-type {' '.join(user.service_types)}")
    if user.state != "active":
        lines.append(f" state {user.state}")
    return lines


def user_interface_section(device: Device) -> Section:
    ui = device.vty
    lines = ["user-interface vty 0 15"]
    if ui.authentication_mode != "password":
        lines.append(f" authentication-mode {ui.authentication_mode}")
    if ui.privilege_level != 0:
        lines.append(f" user privilege level {ui.privilege_level}")
    if ui.protocol_inbound != "all":
        lines.append(f" protocol inbound {ui.protocol_inbound}")
    if (ui.idle_minutes, ui.idle_seconds) != (10, 0):
        lines.append(f" idle-timeout {ui.idle_minutes} {ui.idle_seconds}")
    return lines


def interface_section(device: Device, name: str) -> Section | None:
    """The section of one interface (``display current-configuration interface X``)."""
    if name == "NULL0":
        return ["interface NULL0"]
    port = device.ports.get(name)
    if port is not None:
        return port_section(port)
    if name.startswith("Vlan-interface") and name[14:].isdigit():
        vif = device.vlan_interfaces.get(int(name[14:]))
        if vif is not None:
            return vlan_interface_section(vif)
    return None


def sections(device: Device) -> list[Section]:
    ident = device.profile.identity
    out: list[Section] = [[f" version {ident.software_version}, Release {ident.release}"], [f" sysname {device.sysname}"]]
    if device.super_passwords:
        out.append([f" super password level {lvl} cipher {h}" for lvl, h in sorted(device.super_passwords.items())])
    for vid in sorted(device.vlans):
        vlan = device.vlans[vid]
        lines = [f"vlan {vid}"]
        if vlan.name is not None:
            lines.append(f" name {vlan.name}")
        if vlan.description is not None:
            lines.append(f" description {vlan.description}")
        out.append(lines)
    for name in sorted(device.local_users):
        out.append(local_user_section(device.local_users[name]))
    out.append(["interface NULL0"])
    for vid in sorted(device.vlan_interfaces):
        out.append(vlan_interface_section(device.vlan_interfaces[vid]))
    for port in device.ports.values():
        out.append(port_section(port))
    snmp = device.snmp
    snmp_lines = [" snmp-agent"] if snmp.enabled else []
    for name, access in snmp.communities.items():
        snmp_lines.append(f" snmp-agent community {access} {name}")
    if snmp.contact is not None:
        snmp_lines.append(f" snmp-agent sys-info contact {snmp.contact}")
    if snmp.location is not None:
        snmp_lines.append(f" snmp-agent sys-info location {snmp.location}")
    if snmp.versions != ["v3"]:
        versions = "all" if snmp.versions == ["v1", "v2c", "v3"] else " ".join(snmp.versions)
        snmp_lines.append(f" snmp-agent sys-info version {versions}")
        if "v3" not in snmp.versions:
            snmp_lines.append(" undo snmp-agent sys-info version v3")
    snmp_lines.extend(f" snmp-agent usm-user {line}" for line in snmp.usm_users)
    if snmp_lines:
        out.append(snmp_lines)
    for name in sorted(device.peer_keys):
        code = pubkeys.to_code(device.peer_keys[name].key)
        out.append(
            [f" public-key peer {name}", "  public-key-code begin"]
            + [f"   {chunk}" for chunk in pubkeys.code_lines(code)]
            + ["  public-key-code end", " peer-public-key end"]
        )
    ssh = device.ssh
    ssh_lines = [" ssh server enable"] if ssh.enabled else []
    if not ssh.compatible_ssh1x:
        ssh_lines.append(" undo ssh server compatible-ssh1x enable")
    if ssh.authentication_timeout != 60:
        ssh_lines.append(f" ssh server authentication-timeout {ssh.authentication_timeout}")
    if ssh.authentication_retries != 3:
        ssh_lines.append(f" ssh server authentication-retries {ssh.authentication_retries}")
    if ssh.rekey_interval_hours != 0:
        ssh_lines.append(f" ssh server rekey-interval {ssh.rekey_interval_hours}")
    for name in sorted(device.ssh_users):
        su = device.ssh_users[name]
        line = f" ssh user {name} service-type {su.service_type} authentication-type {su.authentication_type}"
        if su.publickey is not None:
            line += f" assign publickey {su.publickey}"
        ssh_lines.append(line)
    if ssh_lines:
        out.append(ssh_lines)
    out.append(user_interface_section(device))
    return out


def wrap(parts: list[Section]) -> str:
    """Join sections with ``#`` separators and the closing ``return``."""
    lines: list[str] = []
    for section in parts:
        lines.append("#")
        lines.extend(section)
    lines.append("#")
    lines.append("return")
    return "\n".join(lines) + "\n"


def render(device: Device) -> str:
    return wrap(sections(device))
