"""What an OS family is: a name, its features' command tree, its configuration layout.

A :class:`Family` is the device's :class:`agent.device.device.DeviceCli`: it opens CLI
sessions, applies configuration text and renders the running configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.cli import config
from agent.cli.loader import apply_config_text
from agent.cli.session import CliSession
from agent.device.device import Device


@dataclass(frozen=True)
class Family:
    name: str

    def open_session(
        self, device: Device, username: str, level: int, *, interactive: bool, width: int, height: int,
        term: str, vty: int | None, peer: str,
    ) -> CliSession:
        return CliSession(
            device, username, level, interactive=interactive, width=width, height=height, term=term, vty=vty, peer=peer
        )

    def apply_config(self, device: Device, text: str) -> list[str]:
        return apply_config_text(device, text)

    def render_config(self, device: Device) -> str:
        return config.render(device)
