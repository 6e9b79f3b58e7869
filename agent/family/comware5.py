"""Comware 5 (3Com Switch 7900E / H3C S7500E era): the family of every profile today.

Adding a feature to the family is one line in FEATURES (the package under agent/features/).
"""

from __future__ import annotations

from agent.cli.family import Family, ViewSpec, load_features
from agent.porttypes import LOGICAL_SHORT_NAMES, PORT_TYPES

FEATURES = (
    "system",
    "save_reboot",
    "aaa",
    "vlan",
    "interfaces",
    "ip",
    "snmp_agent",
    "public_key",
    "ssh_server",
    "ip_host",
    "clock_timezone",
)

VIEWS = (
    ViewSpec("user", "<{sysname}>", parent=None, help_title="User view commands:"),
    ViewSpec("system", "[{sysname}]", parent="user", ctrl_z="user", help_title="System view commands:"),
    ViewSpec("interface", "[{sysname}-{key}]", parent="system", ctrl_z="user", system_fallback=True, section_header="interface {key}"),
    ViewSpec("vlanif", "[{sysname}-{key}]", parent="system", ctrl_z="user", system_fallback=True, section_header="interface {key}"),
    ViewSpec("vlan", "[{sysname}-vlan{key}]", parent="system", ctrl_z="user", system_fallback=True, section_header="vlan {key}"),
    ViewSpec("luser", "[{sysname}-luser-{key}]", parent="system", ctrl_z="user", system_fallback=True, section_header="local-user {key}"),
    ViewSpec("ui", "[{sysname}-ui-vty0-15]", parent="system", ctrl_z="user", system_fallback=True, section_header="user-interface vty 0 15"),
    ViewSpec("pkey", "[{sysname}-pkey-public-key]", parent="system", ctrl_z="user", section_header=" public-key peer {key}"),
    ViewSpec("pkeycode", "[{sysname}-pkey-key-code]", parent="pkey", ctrl_z="user", keep_key=True, section_header=" public-key peer {key}"),
)

PORTS = tuple(PORT_TYPES)  # agent/porttypes.py: names, abbreviations, speeds, hardware

COMWARE5 = Family(
    name="comware5",
    features=load_features(FEATURES),
    views=VIEWS,
    interface_types=(*PORTS, *LOGICAL_SHORT_NAMES),
    port_types=PORTS,
)
