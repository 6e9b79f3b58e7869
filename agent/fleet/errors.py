"""Failure classes for the report, decided from the exception chain.

The classes answer "what should the operator look at": the network (unreachable), the SSH
version or algorithms the device speaks (version, key exchange), its identity (host key), the
credentials (authentication), a slow device (timeout), or the configuration itself (command
error). netmiko wraps socket and paramiko errors in its own exceptions, so the original cause is
found by walking ``__cause__`` / ``__context__``.
"""

from __future__ import annotations

import errno
import socket

UNREACHABLE = "unreachable"
VERSION = "version"
KEX = "key exchange"
HOST_KEY = "host key"
AUTH = "authentication"
TIMEOUT = "timeout"
COMMAND = "command error"
OUTPUT_LIMIT = "output limit"
WORKER_LOST = "worker lost"
PLATFORM = "platform"  # the inventory names a platform the controller does not drive
OTHER = "other"

CLASSES = (UNREACHABLE, VERSION, KEX, HOST_KEY, AUTH, TIMEOUT, COMMAND, OUTPUT_LIMIT, WORKER_LOST, PLATFORM, OTHER)
RETRYABLE = frozenset({UNREACHABLE, TIMEOUT})


class FleetError(Exception):
    """An error the controller raises itself, already classified."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class


class CommandError(FleetError):
    """The device rejected a command, or the configuration did not take."""

    def __init__(self, message: str) -> None:
        super().__init__(COMMAND, message)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


# Texts of paramiko's and our SSH1 client's errors about the identification line: a wrong SSH
# version, or no SSH at all ("protocol garbage").
_VERSION_TEXTS = ("incompatible version", "protocol major versions differ", "ssh protocol banner",
                  "indecipherable protocol version", "bad version", "not an ssh")

_REFUSED = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNRESET, errno.EADDRNOTAVAIL}


def classify(exc: BaseException) -> str:
    """The report class of a failure."""
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    for e in chain:
        if isinstance(e, FleetError):
            return e.error_class
    if "incompatible ssh peer" in text or "no acceptable" in text:
        return KEX
    if "BadHostKeyException" in names or "not found in known_hosts" in text or "host key mismatch" in text:
        return HOST_KEY
    if names & {"AuthenticationException", "NetmikoAuthenticationException", "Ssh1AuthenticationError"}:
        return AUTH
    if "authentication failed" in text or "permission denied" in text:
        return AUTH
    if any(marker in text for marker in _VERSION_TEXTS):
        return VERSION
    if "kex" in text or "key exchange" in text or "no matching" in text or "incompatible ssh peer" in text:
        return KEX
    for e in chain:
        if isinstance(e, ConnectionRefusedError) or (isinstance(e, OSError) and e.errno in _REFUSED):
            return UNREACHABLE
        if isinstance(e, socket.gaierror):
            return UNREACHABLE
    if "tcp connection to device failed" in text or "cannot connect" in text or "connection refused" in text:
        return UNREACHABLE
    if names & {"ConfigInvalidException"}:
        return COMMAND
    if names & {"ReadTimeout", "TimeoutError", "timeout", "NetmikoTimeoutException"} or "timed out" in text:
        return TIMEOUT
    if names & {"SSHException", "Ssh1Error", "EOFError", "ConnectionResetError", "BrokenPipeError"}:
        return UNREACHABLE if "closed" in text or "reset" in text else OTHER
    return OTHER


def short_message(exc: BaseException) -> str:
    """One line for the report: netmiko's multi-line help texts are trimmed to their point."""
    for e in _chain(exc):
        msg = str(e).strip()
        if isinstance(e, OSError) and e.strerror:
            msg = f"{e.strerror} ({type(e).__name__})"
            return msg
    msg = str(exc).strip()
    lines = [line.strip() for line in msg.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if lines[0].startswith("A paramiko SSHException") and len(lines) > 1:
        return lines[1]
    if lines[0].startswith("Authentication to device failed"):
        return "Authentication to device failed"
    return lines[0][:300]
