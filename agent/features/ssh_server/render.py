"""`display ssh server status|session` and `display ssh user-information` layouts."""

from __future__ import annotations

from agent.device.device import Device


def ssh_status(device: Device) -> list[str]:
    ssh = device.ssh
    return [f" SSH server: {'Enable' if ssh.enabled else 'Disable'}",
            f" SSH version : {device.ssh_protocol_version()}",
            f" SSH authentication-timeout : {ssh.authentication_timeout} second(s)",
            f" SSH server key generating interval : {ssh.rekey_interval_hours} hour(s)",
            f" SSH authentication retries : {ssh.authentication_retries} time(s)",
            " SFTP server: Disable", " SFTP server Idle-Timeout: 10 minute(s)"]


def ssh_sessions(device: Device) -> list[str]:
    infos = device.sessions.infos()
    if not infos:
        return []
    # The Encry column grows to the longest negotiated cipher name (e.g. aes128-gcm@openssh.com).
    width = max([9, *(len(info.cipher) + 1 for info in infos)])
    lines = [f" Conn      Ver  {'Encry':<{width}}State        Retry  SerType  Username"]
    for info in infos:
        conn = f"VTY {info.vty}"
        lines.append(f" {conn:<10}{info.version:<5}{info.cipher:<{width}}{info.state:<13}{info.retries:<7}"
                     f"{info.service:<9}{info.username}")
    return lines


def ssh_user_information(device: Device) -> list[str]:
    if not device.ssh_users:
        return [" Information: No SSH user exists."]
    lines = [f" Total ssh users : {len(device.ssh_users)}",
             " Username        Authentication-type  User-public-key-name  Service-type"]
    for name in sorted(device.ssh_users):
        su = device.ssh_users[name]
        lines.append(f" {name:<16}{su.authentication_type:<21}{(su.publickey or 'null'):<22}{su.service_type}")
    return lines
