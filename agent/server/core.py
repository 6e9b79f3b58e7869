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

    @property
    def authenticated(self) -> bool:
        """Logged in: the connection leaves the pre-auth counts (agent.server.admission)."""
        ...

    def receive_data(self, data: bytes) -> None: ...

    def data_to_send(self) -> bytes: ...

    @property
    def has_backlog(self) -> bool:
        """Client input is queued that the CLI can take now: the driver calls :meth:`process_backlog`
        on a later event-loop turn (one client never holds the loop for long)."""
        ...

    def process_backlog(self) -> None:
        """Run one turn of the queued input (a few command lines)."""
        ...

    @property
    def login_failures(self) -> int:
        """Failed authentication attempts so far (a connection that ends with some is penalized)."""
        ...

    def finish_input(self) -> bool:
        """After connection_lost: run one more turn of input the client had sent; True while more is left."""
        ...

    def buffered_bytes(self) -> int:
        """Bytes held for this connection (queued input, unsent output): the driver's memory bound."""
        ...

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
