"""Apply configuration text by running each line through the CLI command tree.

There is one implementation of every command: the saved configuration is parsed by the same
handlers a user types into. Section rules follow the file layout: ``#`` and column-0 lines
start from system view; indented lines run in the view the previous line entered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.cli.context import SYSTEM
from agent.cli.session import CliSession
from agent.device.device import Device

if TYPE_CHECKING:
    from agent.cli.family import Family  # it applies configurations through this module

_SKIP = ("version ",)


def apply_config_text(family: Family, device: Device, text: str) -> list[str]:
    """Run ``text`` on ``device`` (caller holds the device lock); returns the lines that failed."""
    session = CliSession(family, device, "config", 3, interactive=False, loading=True)
    session.view = SYSTEM
    errors: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped in ("#", "return"):
            session.view = SYSTEM
            continue
        if stripped.startswith(_SKIP):
            continue
        if not line[0].isspace():
            session.view = SYSTEM
        session.failed = False
        session._execute(stripped)
        session._close_dialogue()
        if session.failed:
            errors.append(stripped)
        if session.closed:
            session.closed = False
            session.view = SYSTEM
    return errors
