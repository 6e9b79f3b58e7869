"""Comware parser errors: the five caret messages, and command failures."""

from __future__ import annotations

UNRECOGNIZED = "Unrecognized command"
INCOMPLETE = "Incomplete command"
AMBIGUOUS = "Ambiguous command"
TOO_MANY = "Too many parameters"
WRONG = "Wrong parameter"


class ParseError(Exception):
    """A line the command tree rejects: ``kind`` is one of the five messages, ``pos`` the caret column."""

    def __init__(self, kind: str, pos: int) -> None:
        super().__init__(kind)
        self.kind = kind
        self.pos = pos

    def lines(self, prompt_width: int) -> list[str]:
        """Caret line (under the bad word, counting the prompt) and the message line."""
        return [" " * (prompt_width + self.pos) + "^", f" % {self.kind} found at '^' position."]


class CommandError(Exception):
    """A command that parsed but failed; ``lines`` are printed as they are (e.g. ``Error: ...``)."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.lines = list(lines)


class WrongParameter(Exception):
    """Raised by a handler to report ``Wrong parameter`` under argument ``name`` (its caret column)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
