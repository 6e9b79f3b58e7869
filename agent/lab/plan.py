"""Turn a lab spec into one slot per device: name, profile, address, state folder, users.

Planning is pure (no sockets, no files) so it is unit-tested directly and the same plan can be
sliced across worker processes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import ConfigError
from agent.lab.spec import LabSpec
from agent.profiles.model import LabUser


@dataclass
class DeviceSlot:
    """Everything one emulated device of the lab needs to start."""

    index: int
    name: str
    profile: str
    group: str
    host: str
    port: int
    state_dir: Path
    users: list[LabUser]
    data: dict[str, object] = field(default_factory=dict)
    snmp: tuple[str, int] | None = None
    snmp_communities: tuple[str, ...] = ()  # read communities added explicitly (--snmp-community)


def _profile_key(path: str) -> str:
    return Path(path).stem if path.endswith((".yaml", ".yml")) else Path(path).name


def plan_lab(
    spec: LabSpec,
    *,
    listen: tuple[str, int],
    state: Path,
    loopback: bool = False,
    snmp: tuple[str, int] | None = None,
    snmp_communities: tuple[str, ...] = (),
) -> list[DeviceSlot]:
    """One slot per device, numbered from 1 across the whole lab (``SW7906E-001`` ...).

    ``listen`` is the first address: in port mode every device gets ``port + i`` on the same
    host (port 0 asks the kernel for a free port per device); in loopback mode device ``i`` gets
    host ``address + i`` on the same port, as a lab of real switches each on its own address.
    """
    from agent.profiles import load_profile

    host, base_port = listen
    last = spec.total - 1
    if not loopback and base_port and base_port + last > 65535:
        raise ConfigError(f"--listen {host}:{base_port}: {spec.total} devices need ports up to {base_port + last} (max 65535)")
    if snmp is not None and snmp[1] and snmp[1] + last > 65535:
        raise ConfigError(f"--snmp {snmp[0]}:{snmp[1]}: {spec.total} devices need ports up to {snmp[1] + last} (max 65535)")
    if loopback:
        try:
            ipaddress.ip_address(host) + last
        except (ValueError, ipaddress.AddressValueError) as exc:
            raise ConfigError(f"--listen {host}: {spec.total} devices do not fit after this address ({exc})") from None
    width = max(3, len(str(spec.total)))
    slots: list[DeviceSlot] = []
    profiles: dict[str, object] = {}
    index = 0
    for group in spec.devices:
        profile = profiles.get(group.profile)
        if profile is None:
            profile = profiles[group.profile] = load_profile(group.profile)
        prefix = group.prefix or profile.identity.sysname  # type: ignore[attr-defined]
        group_name = group.group or profile.name  # type: ignore[attr-defined]
        ssh1_only = bool(profile.ssh.ssh1_only)  # type: ignore[attr-defined]
        for _ in range(group.count):
            if loopback:
                dev_host = str(ipaddress.ip_address(host) + index)
                dev_port = base_port
            else:
                dev_host = host
                dev_port = base_port + index if base_port else 0
            name = f"{prefix}-{index + 1:0{width}d}"
            data: dict[str, object] = {"profile": _profile_key(group.profile), "ssh1_only": ssh1_only}
            data.update(group.data)
            snmp_addr = None
            if snmp is not None:
                snmp_addr = (snmp[0], snmp[1] + index) if snmp[1] else (snmp[0], 0)
            slots.append(
                DeviceSlot(
                    index=index,
                    name=name,
                    profile=group.profile,
                    group=group_name,
                    host=dev_host,
                    port=dev_port,
                    state_dir=state / name,
                    users=[*spec.users, *group.users],
                    data=data,
                    snmp=snmp_addr,
                    snmp_communities=snmp_communities,
                )
            )
            index += 1
    return slots


def slice_slots(slots: list[DeviceSlot], parts: int) -> list[list[DeviceSlot]]:
    """Split the lab into ``parts`` near-equal interleaved slices (one per worker process)."""
    parts = max(1, min(parts, len(slots)))
    return [slots[k::parts] for k in range(parts)]
