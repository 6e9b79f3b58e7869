"""The host table in the configuration: one global ` ip host NAME IP` line per name."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device
from agent.features.ip_host.state import IpHosts


def ip_hosts(device: Device) -> list[Section]:
    hosts = device.state(IpHosts).by_name
    return [[f" ip host {name} {hosts[name]}" for name in sorted(hosts)]] if hosts else []
