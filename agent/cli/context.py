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
    """Where the session is: ``kind`` is a view name, ``key`` the object of a sub-view.

    Prompts, parents and Ctrl+Z targets are the family's view table (agent/cli/family.py).
    """

    kind: str
    key: Any = None


USER = View("user")
SYSTEM = View("system")


@dataclass(slots=True)
class Ask:
    """A dialogue question; the session sends back the typed line (``secret``: no echo)."""

    text: str
    secret: bool = False
    yes_no: bool = False


Dialogue = Generator[Ask, str, None]

MUST_CHOOSE = "Before pressing ENTER you must choose 'YES' or 'NO'[Y/N]:"


def yes_no(text: str) -> Generator[Ask, str, bool]:
    """Ask until the answer is Y or N (Comware insists on one of them)."""
    answer = yield Ask(text, yes_no=True)
    while answer.strip().lower() not in ("y", "n", "yes", "no"):
        answer = yield Ask(MUST_CHOOSE, yes_no=True)
    return answer.strip().lower().startswith("y")


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
