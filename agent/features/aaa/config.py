"""The AAA feature's configuration: super passwords, local users, the VTY user interface."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device
from agent.device.model import LocalUser


def super_passwords(device: Device) -> list[Section]:
    if not device.super_passwords:
        return []
    return [[f" super password level {lvl} cipher {h}" for lvl, h in sorted(device.super_passwords.items())]]


def local_user_section(user: LocalUser) -> Section:
    lines = [f"local-user {user.name}"]
    if user.password_hash is not None:
        lines.append(f" password cipher {user.password_hash}")
    if user.level is not None:
        lines.append(f" authorization-attribute level {user.level}")
    if user.service_types:
        lines.append(f" service-type {' '.join(user.service_types)}")
    if user.state != "active":
        lines.append(f" state {user.state}")
    return lines


def local_users(device: Device) -> list[Section]:
    return [local_user_section(device.local_users[name]) for name in sorted(device.local_users)]


def user_interface(device: Device) -> list[Section]:
    ui = device.vty
    lines = ["user-interface vty 0 15"]
    if ui.authentication_mode != "password":
        lines.append(f" authentication-mode {ui.authentication_mode}")
    if ui.privilege_level != 0:
        lines.append(f" user privilege level {ui.privilege_level}")
    if ui.protocol_inbound != "all":
        lines.append(f" protocol inbound {ui.protocol_inbound}")
    if (ui.idle_minutes, ui.idle_seconds) != (10, 0):
        lines.append(f" idle-timeout {ui.idle_minutes} {ui.idle_seconds}")
    return [lines]
