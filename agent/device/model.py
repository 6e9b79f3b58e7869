"""Plain state records of one device: ports, VLANs, users, user interfaces, SSH and SNMP settings.

Every record starts at the Comware *factory* default, so the configuration text only has to
list what differs from it and parsing a saved file back onto fresh records is lossless.
Records use ``slots=True``: a lab holds a thousand devices with ~200 ports each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.device.vlanset import ALL_VLANS
from agent.porttypes import PORT_TYPES, short_name
from agent.ssh2.algorithms.hostkey import PublicKey


@dataclass(slots=True)
class Port:
    """A physical Ethernet port (bridge mode)."""

    name: str
    kind: str  # GigabitEthernet / Ten-GigabitEthernet / FortyGigE
    slot: int
    index: int
    ordinal: int  # position in the chassis; the port MAC is derived from it
    connected: bool = False  # emulated cabling: decides UP/DOWN when not shut down
    description: str | None = None
    shutdown: bool = False
    link_type: str = "access"  # access / trunk / hybrid
    access_vlan: int = 1
    pvid: int = 1  # trunk/hybrid PVID
    trunk_permitted: int = 1 << 1  # VLAN mask; factory default permits VLAN 1
    hybrid_tagged: int = 0
    hybrid_untagged: int = 1 << 1

    @property
    def link(self) -> str:
        if self.shutdown:
            return "ADM"
        return "UP" if self.connected else "DOWN"

    @property
    def speed_bps(self) -> int:
        return PORT_TYPES[self.kind].speed_bps

    @property
    def effective_pvid(self) -> int:
        return self.access_vlan if self.link_type == "access" else self.pvid

    def tagged_mask(self) -> int:
        if self.link_type == "trunk":
            return self.trunk_permitted & ~(1 << self.pvid)
        if self.link_type == "hybrid":
            return self.hybrid_tagged
        return 0

    def untagged_mask(self) -> int:
        if self.link_type == "trunk":
            return self.trunk_permitted & (1 << self.pvid)
        if self.link_type == "hybrid":
            return self.hybrid_untagged
        return 1 << self.access_vlan

    def reset(self) -> None:
        """Back to factory settings (`undo` of everything)."""
        self.description = None
        self.shutdown = False
        self.link_type = "access"
        self.access_vlan = 1
        self.pvid = 1
        self.trunk_permitted = 1 << 1
        self.hybrid_tagged = 0
        self.hybrid_untagged = 1 << 1


@dataclass(slots=True)
class Vlan:
    vid: int
    name: str | None = None
    description: str | None = None

    @property
    def display_name(self) -> str:
        return self.name if self.name is not None else f"VLAN {self.vid:04d}"

    @property
    def display_description(self) -> str:
        return self.description if self.description is not None else f"VLAN {self.vid:04d}"


@dataclass(slots=True)
class VlanInterface:
    vid: int
    ip: str | None = None
    mask: str | None = None
    description: str | None = None
    shutdown: bool = False

    @property
    def name(self) -> str:
        return f"Vlan-interface{self.vid}"


@dataclass(slots=True)
class LocalUser:
    name: str
    password_hash: str | None = None
    service_types: list[str] = field(default_factory=list)
    level: int | None = None  # authorization-attribute level; None renders nothing and means 0
    state: str = "active"  # active / block


@dataclass(slots=True)
class UserInterface:
    """`user-interface vty 0 15`: one shared block for every VTY line."""

    authentication_mode: str = "password"  # password / scheme / none
    protocol_inbound: str = "all"  # all / ssh / telnet
    idle_minutes: int = 10
    idle_seconds: int = 0
    privilege_level: int = 0

    @property
    def idle_timeout_seconds(self) -> int:
        """0 means never time out (`idle-timeout 0`)."""
        return self.idle_minutes * 60 + self.idle_seconds


@dataclass(slots=True)
class SshServerSettings:
    """Comware 5 SSH server settings; the SSH server reads these live on every connection."""

    enabled: bool = False
    compatible_ssh1x: bool = True
    authentication_timeout: int = 60
    authentication_retries: int = 3
    rekey_interval_hours: int = 0


@dataclass(slots=True)
class SshUser:
    """`ssh user NAME service-type S authentication-type A [assign publickey KEY]`."""

    name: str
    service_type: str = "stelnet"  # all / scp / sftp / stelnet
    authentication_type: str = "password"  # password / any / password-publickey / publickey
    publickey: str | None = None


@dataclass(slots=True)
class PeerKey:
    name: str
    key: PublicKey


@dataclass(slots=True)
class SnmpSettings:
    enabled: bool = False
    communities: dict[str, str] = field(default_factory=dict)  # name -> "read" / "write"
    contact: str | None = None
    location: str | None = None
    versions: list[str] = field(default_factory=lambda: ["v3"])  # CW5 default: v3 only
    usm_users: list[str] = field(default_factory=list)  # `snmp-agent usm-user ...` lines kept verbatim

    @property
    def contact_text(self) -> str:
        return self.contact if self.contact is not None else "3Com Corporation."

    @property
    def location_text(self) -> str:
        return self.location if self.location is not None else "Marlborough, MA 01752 USA"


__all__ = [
    "ALL_VLANS",
    "LocalUser",
    "PeerKey",
    "Port",
    "SnmpSettings",
    "SshServerSettings",
    "SshUser",
    "UserInterface",
    "Vlan",
    "VlanInterface",
    "short_name",
]
