"""The shape of a device profile.

A profile describes a *model* (identity strings, chassis, SSH defaults, lab users, default
configuration); the per-device state (sysname, users added later, VLANs...) lives in
:mod:`agent.device`. Every field has a Comware-like default so a profile that ``extends``
another only lists what differs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.porttypes import PORT_TYPES
from agent.profiles.startups import StartupRule


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotSpec(_Strict):
    """One chassis slot: an MPU (management) or LPU (line card) board and its ports."""

    slot: int = Field(ge=0, le=31)
    kind: Literal["MPU", "LPU"]
    board: str
    ports: dict[str, int] = Field(default_factory=dict, description="interface type -> count, e.g. GigabitEthernet: 48")
    serial: str = ""

    @property
    def board_serial(self) -> str:
        """The board's serial number; profiles may leave it out and get a stable one per slot."""
        return self.serial or f"21023LMA0P0PB11300{self.slot:02d}"

    @field_validator("ports")
    @classmethod
    def _known_port_types(cls, value: dict[str, int]) -> dict[str, int]:
        allowed = set(PORT_TYPES)
        for name, count in value.items():
            if name not in allowed:
                raise ValueError(f"unknown port type {name!r}; expected one of {sorted(allowed)}")
            if not 0 < count <= 128:
                raise ValueError(f"port count for {name} must be 1..128")
        return value


class BoardSpec(_Strict):
    """What `display version` and `display device manuinfo` say about one board type."""

    processor: str = Field(description="CPU named in `display version`, e.g. BCM1125H")
    hardware: dict[str, str] = Field(
        default_factory=dict, description="label -> value rows after BOARD TYPE, in order (DRAM, FLASH, ...)"
    )
    manufactured: str = Field(default="", description="MANUFACTURING_DATE in `display device manuinfo`")


class Identity(_Strict):
    vendor: str = "3Com"
    model: str
    sysname: str = Field(default="SW7906E", pattern=r"^[A-Za-z0-9.\-_@()/:]{1,48}$")
    software_version: str = "5.20"
    release: str = "6616P01"
    ssh_software_version: str = Field(default="Comware-5.20", pattern=r"^[\x21-\x7e]{1,64}$")
    version_text: str = Field(description="body of `display version` (uptime lines are added live)")
    sys_descr: str
    sys_object_id: str = Field(pattern=r"^1(\.\d+)+$")
    mac_base: str = Field(default="0023-8912-0000", pattern=r"^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$")
    login_banner: str = ""
    press_enter_banner: bool = False
    startup_file: str = "flash:/startup.cfg"


class SshAlgorithms(_Strict):
    """Ordered name-lists the device offers in its KEXINIT (most preferred first)."""

    kex: list[str]
    host_key: list[str]
    cipher: list[str]
    mac: list[str]
    compression: list[str]

    @field_validator("kex", "host_key", "cipher", "mac", "compression")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("an algorithm list must name at least one algorithm")
        if len(set(value)) != len(value):
            raise ValueError("an algorithm list must not repeat a name")
        return value


class SshLimits(_Strict):
    """Session and pre-authentication limits (:mod:`agent.server.admission`).

    Comware 5 has 16 VTY lines (`user-interface vty 0 15`) and a 60 s authentication timeout;
    the pre-auth rules follow OpenSSH's MaxStartups / PerSourceMaxStartups / PerSourcePenalties
    with a per-source cap below ``max_startups``' start, so one flooding host never makes the
    device drop another host's login.
    """

    vty_lines: int = Field(default=16, ge=1, le=1024, description="concurrent logins (user-interface vty 0 15)")
    max_startups: str = Field(default="10:30:60", pattern=r"^\d+(:\d+:\d+)?$", description="per device, start:rate:full")
    per_source_max_startups: int = Field(default=8, ge=0, le=1024, description="unauthenticated per source address; 0: no cap")
    process_max_startups: str = Field(default="1000:30:4000", pattern=r"^\d+(:\d+:\d+)?$", description="whole process")
    fd_reserve: int = Field(default=64, ge=16, le=4096, description="descriptors kept free for files and accepts")
    penalty_authfail_seconds: float = Field(default=5.0, ge=0, le=600, description="per failed login connection; 0: off")
    penalty_threshold_seconds: float = Field(default=15.0, ge=0, le=3600)
    penalty_max_seconds: float = Field(default=600.0, ge=1, le=86400)
    super_retries: int = Field(default=3, ge=1, le=10, description="wrong `super` passwords before the session is locked out")

    @field_validator("max_startups", "process_max_startups")
    @classmethod
    def _startups(cls, value: str) -> str:
        StartupRule.parse(value)  # the rule's own check: START <= FULL, RATE 0-100
        return value


class SshDefaults(_Strict):
    enabled: bool = True
    compatible_ssh1x: bool = False
    ssh1_only: bool = False
    authentication_timeout: int = Field(default=60, ge=1, le=120)
    authentication_retries: int = Field(default=3, ge=1, le=5)
    rekey_interval_hours: int = Field(default=0, ge=0, le=24)
    rekey_bytes: int = Field(default=1 << 30, ge=1 << 16)
    rekey_seconds: int = Field(default=3600, ge=10)
    algorithms: SshAlgorithms
    ssh1_ciphers: list[Literal["3des", "blowfish", "des"]] = ["3des", "blowfish"]
    ssh1_auth: list[Literal["password", "rsa", "rhosts", "rhosts-rsa"]] = ["password", "rsa"]
    host_key_rsa_bits: int = Field(default=2048, ge=1024, le=8192)
    ssh1_server_key_bits: int = Field(default=1024, ge=768, le=4096)
    limits: SshLimits = Field(default_factory=SshLimits)


class LabUser(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.@\-]{1,80}$")
    password: str = Field(min_length=1, max_length=63)
    level: int = Field(default=3, ge=0, le=3)
    service_types: list[str] = Field(default_factory=lambda: ["ssh", "telnet", "terminal"])


class SnmpDefaults(_Strict):
    enabled: bool = False
    communities_read: list[str] = Field(default_factory=list)
    communities_write: list[str] = Field(default_factory=list)
    contact: str = ""
    location: str = ""


class Profile(_Strict):
    name: str
    extends: str | None = None
    description: str = ""
    os_family: str = "comware5"  # agent.family.FAMILIES: the command language the device runs
    identity: Identity
    chassis: list[SlotSpec]
    boards: dict[str, BoardSpec] = Field(default_factory=dict, description="board type -> its hardware text")
    ssh: SshDefaults
    users: list[LabUser] = Field(default_factory=list)
    snmp: SnmpDefaults = Field(default_factory=SnmpDefaults)
    default_config: str = ""

    @field_validator("chassis")
    @classmethod
    def _unique_slots(cls, value: list[SlotSpec]) -> list[SlotSpec]:
        seen = [s.slot for s in value]
        if len(seen) != len(set(seen)):
            raise ValueError("slot numbers must be unique")
        return value

    @model_validator(mode="after")
    def _boards_described(self) -> Profile:
        missing = sorted({s.board for s in self.chassis} - set(self.boards))
        if missing:
            raise ValueError(f"boards: no entry for {', '.join(missing)} (processor and hardware rows)")
        return self

    @property
    def ssh_protocol_version(self) -> str:
        """The version the device announces: 1.5 for SSH1-only, 1.99 with SSH1 compatibility, else 2.0."""
        if self.ssh.ssh1_only:
            return "1.5"
        return "1.99" if self.ssh.compatible_ssh1x else "2.0"
