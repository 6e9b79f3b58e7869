"""The system feature's configuration: the software version line and the sysname."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device


def version(device: Device) -> list[Section]:
    ident = device.profile.identity
    return [[f" version {ident.software_version}, Release {ident.release}"]]


def sysname(device: Device) -> list[Section]:
    return [[f" sysname {device.sysname}"]]
