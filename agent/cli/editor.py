"""The line editor of an interactive session: buffer, cursor and the echo each edit needs.

Every method returns the bytes (as str) a VT100 terminal needs to show the edit; the session
decides whether to send them (no echo for exec channels and password questions).
"""

from __future__ import annotations

MAX_LINE = 511  # Comware's edit buffer


class LineEditor:
    __slots__ = ("buffer", "cursor")

    def __init__(self) -> None:
        self.buffer = ""
        self.cursor = 0

    def clear(self) -> None:
        self.buffer = ""
        self.cursor = 0

    def insert(self, text: str) -> str:
        room = MAX_LINE - len(self.buffer)
        text = text[: max(0, room)]
        if not text:
            return "\x07"
        tail = self.buffer[self.cursor :]
        self.buffer = self.buffer[: self.cursor] + text + tail
        self.cursor += len(text)
        return text + tail + "\b" * len(tail)

    def backspace(self) -> str:
        if self.cursor == 0:
            return ""
        tail = self.buffer[self.cursor :]
        self.buffer = self.buffer[: self.cursor - 1] + tail
        self.cursor -= 1
        return "\b" + tail + " " + "\b" * (len(tail) + 1)

    def delete(self) -> str:
        if self.cursor >= len(self.buffer):
            return ""
        tail = self.buffer[self.cursor + 1 :]
        self.buffer = self.buffer[: self.cursor] + tail
        return tail + " " + "\b" * (len(tail) + 1)

    def home(self) -> str:
        moved = "\b" * self.cursor
        self.cursor = 0
        return moved

    def end(self) -> str:
        moved = self.buffer[self.cursor :]
        self.cursor = len(self.buffer)
        return moved

    def left(self) -> str:
        if self.cursor == 0:
            return ""
        self.cursor -= 1
        return "\b"

    def right(self) -> str:
        if self.cursor >= len(self.buffer):
            return ""
        self.cursor += 1
        return self.buffer[self.cursor - 1]

    def replace(self, text: str) -> str:
        """Show ``text`` instead of the whole buffer (history recall, Ctrl+U)."""
        text = text[:MAX_LINE]
        old_len = len(self.buffer)
        echo = "\b" * self.cursor + text
        if old_len > len(text):
            pad = old_len - len(text)
            echo += " " * pad + "\b" * pad
        self.buffer = text
        self.cursor = len(text)
        return echo

    def kill_to_end(self) -> str:
        tail = len(self.buffer) - self.cursor
        self.buffer = self.buffer[: self.cursor]
        return " " * tail + "\b" * tail

    def kill_word(self) -> str:
        """Ctrl+W: delete the word before the cursor (and the spaces after it)."""
        start = self.cursor
        while start > 0 and self.buffer[start - 1] == " ":
            start -= 1
        while start > 0 and self.buffer[start - 1] != " ":
            start -= 1
        count = self.cursor - start
        if count == 0:
            return ""
        tail = self.buffer[self.cursor :]
        self.buffer = self.buffer[:start] + tail
        self.cursor = start
        return "\b" * count + tail + " " * count + "\b" * (len(tail) + count)
