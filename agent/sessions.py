"""Live management sessions of one device, and what an SSH session sees of the device.

SSH drivers register a handle for every connection so that the CLI can list sessions
(``display ssh server session``, ``display users``) and so that ``reboot`` can drop them all.

This module sits below the protocol cores (agent/ssh2, agent/ssh1) and the device: the cores
describe the device they serve with typed Protocols built from the pieces here
(:class:`CliSession`, :class:`SshSettings`, :class:`SessionRegistry`) and never import it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class SessionInfo:
    """What ``display ssh server session`` and ``display users`` show for one connection."""

    vty: int
    version: str  # "2.0" or "1.5"
    cipher: str  # negotiated cipher name, e.g. "aes128-ctr" or "3des"
    state: str  # Init, Ver-exchange, Keys-exchange, Auth-request, Serv-request, Established, Disconnected
    retries: int
    service: str  # "Stelnet" for shell/exec sessions
    username: str
    peer: str  # "127.0.0.1:53122"
    since: float = field(default=0.0)  # time.time() of login


class CliSession(Protocol):
    """One CLI session as an SSH channel drives it: bytes in, bytes out, an exit status."""

    closed: bool
    exit_status: int

    def start(self) -> bytes: ...

    def feed(self, data: bytes) -> bytes: ...

    def execute(self, command: str) -> tuple[bytes, int]: ...

    def resize(self, width: int, height: int) -> None: ...


class SshSettings(Protocol):
    """The device's live ``ssh server`` settings, read on every connection."""

    @property
    def enabled(self) -> bool: ...

    @property
    def authentication_timeout(self) -> int: ...

    @property
    def authentication_retries(self) -> int: ...

    @property
    def rekey_interval_hours(self) -> int: ...


ALL_LINES_BUSY = "All user interfaces are used, please try later!"  # Comware's refusal when every VTY is taken


class SessionHandle(Protocol):
    def info(self) -> SessionInfo: ...

    def terminate(self, reason: str) -> None:
        """Close the connection from the device side (reboot, idle timeout, `free user-interface`)."""
        ...


class SessionRegistry:
    """Thread-safe table of VTY slots (0-15 as on the device; more are allowed for labs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_vty: dict[int, SessionHandle] = {}

    def attach(self, handle: SessionHandle, limit: int | None = None) -> int | None:
        """Register a connection and return its VTY number (lowest free), or None when ``limit``
        lines are all in use (the device's VTY lines, ``user-interface vty 0 15``)."""
        with self._lock:
            if limit is not None and len(self._by_vty) >= limit:
                return None
            vty = 0
            while vty in self._by_vty:
                vty += 1
            self._by_vty[vty] = handle
            return vty

    def detach(self, vty: int) -> None:
        with self._lock:
            self._by_vty.pop(vty, None)

    def handles(self) -> list[SessionHandle]:
        with self._lock:
            return [self._by_vty[k] for k in sorted(self._by_vty)]

    def infos(self) -> list[SessionInfo]:
        return [h.info() for h in self.handles()]

    def terminate_all(self, reason: str) -> None:
        for handle in self.handles():
            handle.terminate(reason)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_vty)
