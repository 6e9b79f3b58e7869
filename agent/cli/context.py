"""Views (prompts) and the context a command handler receives."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.cli.errors import CommandError
from agent.cli.tree import Match
from agent.device.device import Device

if TYPE_CHECKING:
    from agent.cli.session import CliSession


@dataclass(frozen=True, slots=True)
class View:
    """Where the session is: ``kind`` is a tree name, ``key`` the object of a sub-view."""

    kind: str
    key: Any = None

    def prompt(self, sysname: str) -> str:
        kind = self.kind
        if kind == "user":
            return f"<{sysname}>"
        if kind == "system":
            return f"[{sysname}]"
        if kind in ("interface", "vlanif"):
            return f"[{sysname}-{self.key}]"
        if kind == "vlan":
            return f"[{sysname}-vlan{self.key}]"
        if kind == "luser":
            return f"[{sysname}-luser-{self.key}]"
        if kind == "ui":
            return f"[{sysname}-ui-vty0-15]"
        if kind == "pkey":
            return f"[{sysname}-pkey-public-key]"
        return f"[{sysname}-pkey-key-code]"

    @property
    def parent(self) -> View | None:
        """Where ``quit`` goes (None: leave the session)."""
        if self.kind == "user":
            return None
        if self.kind == "system":
            return USER
        if self.kind == "pkeycode":
            return View("pkey", self.key)
        return SYSTEM


USER = View("user")
SYSTEM = View("system")


@dataclass(slots=True)
class Ask:
    """A dialogue question; the session sends back the typed line (``secret``: no echo)."""

    text: str
    secret: bool = False
    yes_no: bool = False


Dialogue = Generator[Ask, str, None]


class Ctx:
    """What a handler sees: the session, the device, the parsed match and an output buffer."""

    __slots__ = ("session", "device", "match", "out", "topics")

    def __init__(self, session: CliSession, match: Match) -> None:
        self.session = session
        self.device: Device = session.device
        self.match = match
        self.out: list[str] = []
        self.topics: set[str] = set()

    @property
    def args(self) -> dict[str, Any]:
        return self.match.args

    def has(self, *words: str) -> bool:
        return self.match.has(*words)

    @property
    def undo(self) -> bool:
        return bool(self.match.keywords) and self.match.keywords[0] == "undo"

    @property
    def view(self) -> View:
        return self.session.view

    @view.setter
    def view(self, value: View) -> None:
        self.session.view = value

    def print(self, *lines: str) -> None:
        self.out.extend(lines)

    def changed(self, topic: str) -> None:
        """Tell device listeners after the command finishes."""
        self.topics.add(topic)

    def fail(self, *lines: str) -> CommandError:
        return CommandError(*lines)
