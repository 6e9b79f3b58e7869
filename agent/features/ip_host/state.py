"""The static host table of one device (factory default: empty)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class IpHosts:
    by_name: dict[str, str] = field(default_factory=dict)  # host name (case-sensitive) -> IPv4 address
