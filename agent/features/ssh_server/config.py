"""The SSH server's configuration: enable, SSH1 compatibility, timers, `ssh user` entries."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device


def ssh_server(device: Device) -> list[Section]:
    ssh = device.ssh
    lines = [" ssh server enable"] if ssh.enabled else []
    if not ssh.compatible_ssh1x:
        lines.append(" undo ssh server compatible-ssh1x enable")
    if ssh.authentication_timeout != 60:
        lines.append(f" ssh server authentication-timeout {ssh.authentication_timeout}")
    if ssh.authentication_retries != 3:
        lines.append(f" ssh server authentication-retries {ssh.authentication_retries}")
    if ssh.rekey_interval_hours != 0:
        lines.append(f" ssh server rekey-interval {ssh.rekey_interval_hours}")
    for name in sorted(device.ssh_users):
        su = device.ssh_users[name]
        line = f" ssh user {name} service-type {su.service_type} authentication-type {su.authentication_type}"
        if su.publickey is not None:
            line += f" assign publickey {su.publickey}"
        lines.append(line)
    return [lines] if lines else []
