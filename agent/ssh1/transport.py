"""A small blocking SSH1 client over a TCP socket, for SSH1-only switches and for tests.

netmiko and paramiko stop at ``Incompatible version (1.5 instead of 2.0)``; the fleet controller
plugs this class in for such devices behind the same calls it makes on netmiko (run a command,
or open a shell and read until a prompt). SSH1 allows one session per connection, so
:meth:`Ssh1Client.exec` transparently opens a fresh connection when the current one was used.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from agent.ssh1.client import (
    AuthenticationFailed,
    Disconnected,
    Event,
    ExitStatus,
    Output,
    RequestAnswered,
    ServerKeys,
    SessionStarted,
    Ssh1ClientCore,
)
from agent.ssh1.keyfile import load_private_key_file


class Ssh1Error(Exception):
    """The SSH1 connection failed or was closed."""


class Ssh1AuthenticationError(Ssh1Error):
    """The server refused every authentication method tried."""


Pattern = bytes | str | re.Pattern[bytes]


class Ssh1Client:
    """Blocking SSH1 client: ``connect``, then either ``exec`` or ``open_shell`` + ``send``/``read_until``."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = None
        self._core: Ssh1ClientCore | None = None
        self._params: dict[str, object] = {}
        self._buffer = bytearray()
        self._session_used = False
        self._exit_status: int | None = None
        self._disconnect_reason = ""
        self._timeout = 10.0
        self._started = False
        self._answers: list[RequestAnswered] = []
        self.server_keys: ServerKeys | None = None
        self.compression_accepted = False

    # ------------------------------------------------------------------ public API

    def connect(
        self,
        host: str,
        port: int = 22,
        username: str = "",
        password: str | bytes | None = None,
        key: rsa.RSAPrivateKey | str | Path | None = None,
        cipher: str = "3des",
        timeout: float = 10.0,
        *,
        compression: int = 0,
        passphrase: str | bytes | None = None,
        host_key_check: Callable[[ServerKeys], bool] | None = None,
    ) -> None:
        """Connect and log in (RSA first if ``key`` is given, then password). ``compression`` is a zlib level or 0.

        ``host_key_check`` sees the server's keys before the session key (and so any password) is
        sent; returning False or raising ends the connection.
        """
        rsa_key = load_private_key_file(key, passphrase) if isinstance(key, (str, Path)) else key
        self._params = {
            "host": host,
            "port": port,
            "username": username,
            "password": password,
            "rsa_key": rsa_key,
            "cipher": cipher,
            "compression": compression,
            "host_key_check": host_key_check,
        }
        self._timeout = timeout
        self._open()

    def exec(self, command: str) -> tuple[bytes, int]:
        """Run one command; return its output and exit status."""
        core = self._fresh_session()
        core.exec_command(command)
        deadline = time.monotonic() + self._timeout
        self._pump(lambda: core.closed, deadline)
        output = bytes(self._buffer)
        self._buffer.clear()
        if self._exit_status is None:
            raise Ssh1Error(f"connection closed before the command finished: {self._disconnect_reason}")
        status = self._exit_status
        self._close_socket()
        return output, status

    def open_shell(self, width: int = 80, height: int = 24, term: str = "vt100") -> None:
        """Request a pty and start the shell; read its banner and prompt with :meth:`read_until`."""
        core = self._fresh_session()
        core.request_pty(term, rows=height, cols=width)
        core.exec_shell()
        self._pump(lambda: self._started, time.monotonic() + self._timeout)

    def send(self, data: bytes | str) -> None:
        core = self._require_core()
        core.send_stdin(data.encode("utf-8") if isinstance(data, str) else data)
        self._flush()

    def read_until(self, pattern: Pattern | None = None, timeout: float | None = None) -> bytes:
        """Read shell output until ``pattern`` (bytes, str or compiled bytes regex) matches, or timeout.

        Returns the output up to and including the match; on timeout or end of session, whatever
        arrived. With no pattern it reads until the timeout or the end of the session.
        """
        regex = self._compile(pattern)
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)

        def found() -> bool:
            return regex is not None and regex.search(self._buffer) is not None

        if self._core is not None and not self._core.closed:
            self._pump(found, deadline, raise_on_timeout=False)
        match = regex.search(self._buffer) if regex is not None else None
        end = match.end() if match else len(self._buffer)
        data = bytes(self._buffer[:end])
        del self._buffer[:end]
        return data

    @property
    def exit_status(self) -> int | None:
        return self._exit_status

    @property
    def connected(self) -> bool:
        return self._core is not None and not self._core.closed

    def close(self) -> None:
        if self._core is not None and not self._core.closed:
            self._core.disconnect("disconnected by user")
            try:
                self._flush()
            except OSError:
                pass
        self._close_socket()

    def __enter__(self) -> Ssh1Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _open(self) -> None:
        self._close_socket()
        params = self._params
        self._buffer.clear()
        self._exit_status = None
        self._session_used = False
        self._started = False
        self._answers.clear()
        self._disconnect_reason = ""
        core = Ssh1ClientCore(
            str(params["username"]),
            password=params["password"],  # type: ignore[arg-type]
            rsa_key=params["rsa_key"],  # type: ignore[arg-type]
            cipher=str(params["cipher"]),
            host_key_check=params["host_key_check"],  # type: ignore[arg-type]
        )
        self._core = core
        address = (str(params["host"]), int(params["port"]))  # type: ignore[call-overload]
        try:
            try:
                self._socket = socket.create_connection(address, self._timeout)
            except OSError as exc:
                raise Ssh1Error(f"cannot connect to {params['host']}:{params['port']}: {exc}") from exc
            deadline = time.monotonic() + self._timeout
            self._pump(lambda: core.authenticated, deadline)
            level = int(params["compression"])  # type: ignore[call-overload]
            if level:
                core.request_compression(level)
                self._pump(lambda: bool(self._answers), deadline)
                self.compression_accepted = self._answers[0].accepted
        except BaseException:
            # authentication failure, timeout, protocol error, Ctrl+C: never leave the socket open
            self._close_socket()
            raise

    def _fresh_session(self) -> Ssh1ClientCore:
        if not self._params:
            raise Ssh1Error("not connected")
        if self._session_used or self._core is None or self._core.closed:
            self._open()
        self._session_used = True
        return self._require_core()

    def _require_core(self) -> Ssh1ClientCore:
        if self._core is None:
            raise Ssh1Error("not connected")
        return self._core

    @staticmethod
    def _compile(pattern: Pattern | None) -> re.Pattern[bytes] | None:
        if pattern is None:
            return None
        if isinstance(pattern, re.Pattern):
            return pattern
        raw = pattern.encode("utf-8") if isinstance(pattern, str) else pattern
        return re.compile(re.escape(raw))

    def _flush(self) -> None:
        if self._core is None or self._socket is None:
            return
        data = self._core.data_to_send()
        if data:
            self._socket.sendall(data)

    def _handle(self, event: Event) -> None:
        if isinstance(event, Output):
            self._buffer += event.data
        elif isinstance(event, ServerKeys):
            self.server_keys = event
        elif isinstance(event, SessionStarted):
            self._started = True
        elif isinstance(event, RequestAnswered):
            self._answers.append(event)
        elif isinstance(event, ExitStatus):
            self._exit_status = event.status
        elif isinstance(event, AuthenticationFailed):
            raise Ssh1AuthenticationError(f"authentication failed: {event.reason}")
        elif isinstance(event, Disconnected):
            self._disconnect_reason = event.reason

    def _pump(self, done: Callable[[], bool], deadline: float, *, raise_on_timeout: bool = True) -> None:
        """Exchange bytes until ``done()`` is true, the session ends, or ``deadline`` passes."""
        core = self._require_core()
        while True:
            self._flush()
            for event in core.events():
                self._handle(event)
            self._flush()
            if done():
                return
            if core.closed:
                if raise_on_timeout and self._exit_status is None:
                    raise Ssh1Error(f"connection closed: {self._disconnect_reason}")
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if raise_on_timeout:
                    raise Ssh1Error("timed out waiting for the server")
                return
            assert self._socket is not None
            self._socket.settimeout(remaining)
            try:
                data = self._socket.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                raise Ssh1Error(f"connection failed: {exc}") from exc
            if not data:
                core.receive_data(b"")
                for event in core.events():
                    self._handle(event)
                if not core.closed:
                    self._disconnect_reason = self._disconnect_reason or "connection closed by the server"
                    raise Ssh1Error(self._disconnect_reason)
                continue
            core.receive_data(data)

    def _close_socket(self) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            finally:
                self._socket = None
