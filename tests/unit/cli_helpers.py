"""Shared helpers for the device and CLI unit tests (no sockets)."""

from __future__ import annotations

import re
from pathlib import Path

from agent.device import Device
from agent.family import load_device
from agent.profiles import load_profile

PROFILE = load_profile("3com-s7906e")
ANSI = re.compile(r"\x1b\[\d*[A-Za-z]")


def make_device(tmp_path: Path, **identity: object) -> Device:
    profile = PROFILE
    if identity:
        profile = PROFILE.model_copy(update={"identity": PROFILE.identity.model_copy(update=identity)})
    return load_device(profile, tmp_path)


def text(data: bytes) -> str:
    """Output as text with CR LF turned into LF."""
    return data.decode("utf-8").replace("\r\n", "\n")


class Term:
    """An interactive session driven line by line, like a person at a terminal."""

    def __init__(self, device: Device, level: int = 3, user: str = "admin") -> None:
        self.session = device.open_cli(user, level, interactive=True)
        self.banner = text(self.session.start())

    def send(self, data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return text(self.session.feed(raw))

    def line(self, line: str) -> str:
        return self.send(line + "\n")

    def run(self, *lines: str) -> list[str]:
        return [self.line(x) for x in lines]
