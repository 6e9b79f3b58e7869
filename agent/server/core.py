"""The interface every sans-IO server engine (SSH-2, SSH-1.5) offers to the connection driver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from agent.sessions import SessionInfo


class ServerCore(Protocol):
    """A server protocol engine for one connection, after the identification exchange.

    The driver feeds socket bytes in with :meth:`receive_data`, writes whatever
    :meth:`data_to_send` returns, arms a timer for :meth:`next_deadline`, and closes the
    socket once :attr:`closed` is true and everything is written. Engines never raise on
    peer input: a protocol error becomes a DISCONNECT in the outgoing bytes and ``closed``.
    """

    closed: bool
    wakeup: Callable[[], None]  # set by the driver: output made outside receive_data (the device ends a session)

    def receive_data(self, data: bytes) -> None: ...

    def data_to_send(self) -> bytes: ...

    def next_deadline(self) -> float | None:
        """Monotonic time of the next timer (auth timeout, rekey, server key rotation), or None."""
        ...

    def on_deadline(self, now: float) -> None: ...

    def disconnect(self, reason: str) -> None:
        """End the connection from the device side (reboot, `undo ssh server enable`...)."""
        ...

    def connection_lost(self) -> None:
        """The socket closed under us; release the CLI session and registry slot."""
        ...

    def info(self) -> SessionInfo: ...

    def log_summary(self) -> str:
        """One line for the connection log: version, algorithms, user, result."""
        ...
