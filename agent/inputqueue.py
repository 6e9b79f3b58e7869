"""Client input waiting for the CLI, handed over a few lines per event-loop turn.

Every device of a lab shares one event loop, so no single client may hold it for long: a 250 KB
CHANNEL_DATA or a 70 KB SSH1 STDIN packet of commands used to run all its commands in one go
(seconds). The protocol engines (SSH-2 channels, the SSH1 session) park what a client typed in
an :class:`InputQueue` and feed the CLI one line at a time for at most :data:`TURN_SECONDS`
per event-loop turn (at least one line, so every turn makes progress); the connection driver
schedules the next turn with ``call_soon``, so other connections and devices get the loop in
between. The engines also stop taking while their output for the client is above
:data:`OUTPUT_BOUND` (the client is not reading): the input then waits here, bounded by the
SSH-2 channel window or by the paused socket, instead of turning into unbounded output.

Sans-IO like the engines that use it: bytes in, bytes out; the engines pass their own clock.
"""

from __future__ import annotations

import re

TURN_SECONDS = 0.004  # CLI time one connection gets per event-loop turn (then others run)
LINES_PER_TURN = 1  # lines handed over per take(): the engines check the time between takes
BYTES_PER_TURN = 4096  # keystrokes per take when no line ends in them (a long paste)
OUTPUT_BOUND = 64 * 1024  # output held for a client above which its input waits
_LINE_END = re.compile(rb"\r\n?|\n")  # one Enter, as the CLI counts it


class InputQueue:
    """Bytes a client sent that the CLI has not seen yet."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def __len__(self) -> int:
        return len(self._buffer)

    def __bool__(self) -> bool:
        return bool(self._buffer)

    def push(self, data: bytes) -> None:
        self._buffer += data

    def clear(self) -> None:
        self._buffer.clear()

    def take(self, lines: int = LINES_PER_TURN, limit: int = BYTES_PER_TURN) -> bytes:
        """The next slice for the CLI: up to ``lines`` Enters and at most ``limit`` bytes."""
        buffer = self._buffer
        end = min(len(buffer), limit)
        seen = 0
        for match in _LINE_END.finditer(buffer, 0, end):
            seen += 1
            if seen == lines:
                end = match.end()
                break
        chunk = bytes(buffer[:end])
        del buffer[:end]
        return chunk
