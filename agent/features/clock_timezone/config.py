"""The zone in the configuration: ` clock timezone NAME add|minus HH:MM:SS`, right after the sysname."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device
from agent.features.clock_timezone.state import TimeZoneSetting
from agent.features.system.clock import Zone


def zone(device: Device) -> Zone | None:
    """The configured zone (the ``clock.zone`` source display clock reads), or None for UTC."""
    setting = device.state(TimeZoneSetting)
    return None if setting.name is None else Zone(setting.name, setting.offset_seconds)


def clock_timezone(device: Device) -> list[Section]:
    configured = zone(device)
    return [] if configured is None else [[f" clock timezone {configured.name} {configured.clause}"]]
