"""The SSH-2 server engine for one connection: transport + userauth + connection, sans-IO.

It reads everything it serves from the device (algorithm lists, host keys, user table,
authentication timeout and retries, CLI) at the moment it needs it, so configuration made
in the CLI applies to the next connection or the next login at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from agent.errors import DisconnectReason, ProtocolError
from agent.identification import ClientVersion
from agent.profiles.model import Profile, SshAlgorithms
from agent.sessions import ALL_LINES_BUSY, CliSession, SessionInfo, SessionRegistry, SshSettings
from agent.ssh2.algorithms import KEX_METHODS
from agent.ssh2.algorithms.hostkey import USER_SIG_ALGORITHMS, HostKey, kind_for_algorithm
from agent.ssh2.algorithms.kex import KexInputs, KexServer
from agent.ssh2.auth import ServerAuth, UserTable
from agent.ssh2.connection import ServerConnection
from agent.ssh2.constants import (
    MSG_EXT_INFO,
    MSG_SERVICE_ACCEPT,
    MSG_SERVICE_REQUEST,
    MSG_UNIMPLEMENTED,
)
from agent.ssh2.negotiation import Negotiated
from agent.ssh2.transport import Transport
from agent.wire import Reader, byte, string, uint32

# RFC 8308: the signature algorithms accepted in publickey authentication
_EXT_INFO = byte(MSG_EXT_INFO) + uint32(1) + string(b"server-sig-algs") + string(",".join(USER_SIG_ALGORITHMS))


class HostKeySource(Protocol):
    """The device's host keys: which kinds exist, and the key of one kind."""

    def has(self, kind: str) -> bool: ...

    def get(self, kind: str) -> HostKey: ...


class Ssh2Device(UserTable, Protocol):
    """What the SSH-2 server reads from the device it serves (agent.device.Device is one)."""

    @property
    def profile(self) -> Profile: ...

    @property
    def ssh(self) -> SshSettings: ...

    @property
    def ssh_algorithms(self) -> SshAlgorithms: ...

    @property
    def host_keys(self) -> HostKeySource: ...

    @property
    def sessions(self) -> SessionRegistry: ...

    def open_cli(
        self, username: str, level: int, *, interactive: bool, width: int, height: int, term: str,
        vty: int | None, peer: str,
    ) -> CliSession: ...


class Ssh2ServerCore(Transport):
    """Implements :class:`agent.server.core.ServerCore` for SSH-2 clients."""

    is_server = True

    def __init__(
        self,
        device: Ssh2Device,
        client_version: ClientVersion,
        server_line: str,
        peer: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        initial_data: bytes = b"",
        deadline: float | None = None,
    ) -> None:
        super().__init__(server_line.strip(), client_version.line, clock=clock)
        self.device = device
        self.peer = peer
        self.client_software = client_version.software
        profile_ssh = device.profile.ssh
        self.rekey_bytes = profile_ssh.rekey_bytes
        self.rekey_seconds = float(profile_ssh.rekey_seconds)
        self.algorithms = device.ssh_algorithms
        self.state = "Keys-exchange"
        self.username = ""
        self.level = 0
        self.auth_method = ""
        self.auth: ServerAuth | None = None
        self.connection: ServerConnection | None = None
        self.service_accepted = False
        self.vty: int | None = None
        self.login_time = 0.0
        self.wakeup: Callable[[], None] = lambda: None
        # The login grace covers the whole pre-auth phase from the TCP connection on (``deadline``,
        # from the driver): a client trickling its version line gets no second grace period.
        self.auth_deadline = deadline if deadline is not None else clock() + device.ssh.authentication_timeout
        self.send_kexinit()
        if initial_data:
            self.receive_data(initial_data)

    # ---- transport hooks --------------------------------------------------------------------

    def _kexinit_lists(self) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        algs = self.algorithms
        store = self.device.host_keys
        host_keys = [name for name in algs.host_key if store.has(kind_for_algorithm(name))]
        kex = list(algs.kex)
        if self.kex_count == 0:
            kex.append("ext-info-s")
        return kex, host_keys, list(algs.cipher), list(algs.mac), list(algs.compression)

    def _start_kex(self, negotiated: Negotiated, inputs: KexInputs) -> list[bytes]:
        algorithm = negotiated.host_key
        try:
            host_key: HostKey = self.device.host_keys.get(kind_for_algorithm(algorithm))
        except KeyError:
            # `public-key local destroy rsa` ran between our KEXINIT and the client's.
            raise ProtocolError(f"host key {algorithm} is gone", DisconnectReason.KEY_EXCHANGE_FAILED) from None

        def sign(h: bytes) -> bytes:
            return host_key.sign(algorithm, h)

        kex = KexServer(KEX_METHODS[negotiated.kex], inputs, host_key.blob, sign)
        self._kex = kex
        return []

    def _ext_info_payload(self) -> bytes:
        return _EXT_INFO

    def _after_first_kex(self) -> None:
        self.state = "Serv-request"

    def _dispatch(self, msg_type: int, payload: bytes) -> None:
        if msg_type == MSG_SERVICE_REQUEST:
            service = Reader(payload, 1).text()
            if service != "ssh-userauth" or self.authenticated:
                raise ProtocolError(f"service {service!r} not available", DisconnectReason.SERVICE_NOT_AVAILABLE)
            if self.auth is None:
                # paramiko asks for ssh-userauth again before every authentication attempt;
                # the same auth state (and failure count) carries on.
                self.state = "Auth-request"
                assert self.session_id is not None
                self.auth = ServerAuth(
                    self.device, self.session_id, self.send_payload, self.device.ssh.authentication_retries
                )
            self.service_accepted = True
            self.send_payload(byte(MSG_SERVICE_ACCEPT) + string(service))
        elif 50 <= msg_type <= 79:
            if self.auth is None:
                raise ProtocolError("authentication request before ssh-userauth was accepted")
            self.auth.handle(msg_type, payload)
            if self.auth.result is not None and not self.authenticated:
                self._on_authenticated()
        elif 80 <= msg_type <= 127:
            connection = self.connection
            if connection is None:
                raise ProtocolError("connection protocol message before authentication")
            connection.handle(msg_type, payload)
        elif msg_type == MSG_EXT_INFO:
            # RFC 8308 2.3: a client may answer our ext-info-s with its own extensions; none of
            # them changes what this device does, and a recognised message is not UNIMPLEMENTED.
            return
        else:
            seq = (self.reader.seq - 1) & 0xFFFFFFFF
            self.send_payload(byte(MSG_UNIMPLEMENTED) + uint32(seq))

    def _on_authenticated(self) -> None:
        assert self.auth is not None and self.auth.result is not None
        result = self.auth.result
        self.authenticated = True
        self.username, self.level, self.auth_method = result.username, result.level, result.method
        self.state = "Established"
        self.login_time = time.time()
        self._start_delayed_compression()
        self.connection = ServerConnection(self.send_payload, self._open_cli, self.clock)
        self.vty = self.device.sessions.attach(self, self.device.profile.ssh.limits.vty_lines)
        if self.vty is None:
            self.disconnect(ALL_LINES_BUSY, DisconnectReason.TOO_MANY_CONNECTIONS)

    def _open_cli(self, *, interactive: bool, width: int, height: int, term: str) -> CliSession:
        return self.device.open_cli(
            self.username,
            self.level,
            interactive=interactive,
            width=width,
            height=height,
            term=term,
            vty=self.vty,
            peer=self.peer,
        )

    # ---- ServerCore surface -----------------------------------------------------------------

    def next_deadline(self) -> float | None:
        rekey = self.next_rekey_deadline()
        if self.authenticated or (rekey is not None and rekey < self.auth_deadline):
            return rekey
        return self.auth_deadline

    def on_deadline(self, now: float) -> None:
        if self.closed:
            return
        if not self.authenticated and now >= self.auth_deadline:
            self.disconnect("Authentication timeout", DisconnectReason.BY_APPLICATION)
            return
        self._maybe_rekey()

    @property
    def has_backlog(self) -> bool:
        """Queued client input the CLI can take now (the driver then calls :meth:`process_backlog`)."""
        connection = self.connection
        return connection is not None and not self.closed and connection.has_backlog

    def process_backlog(self) -> None:
        """One event-loop turn of queued CLI input (see :mod:`agent.inputqueue`)."""
        if self.connection is None or self.closed:
            return
        try:
            self.connection.process_backlog()
        except ProtocolError as exc:
            self._fail(exc)

    def receive_data(self, data: bytes) -> None:
        if self.connection is not None:
            self.connection.turn_used = False  # each event may give the CLI one turn
        super().receive_data(data)

    def finish_input(self) -> bool:
        """The client is gone: one more turn of its queued input (see ServerConnection.finish_turn)."""
        connection = self.connection
        return connection is not None and connection.finish_turn()

    @property
    def login_failures(self) -> int:
        """Failed authentication attempts on this connection (the admission penalties count them)."""
        return self.auth.failures if self.auth is not None else 0

    def buffered_bytes(self) -> int:
        """Memory this connection holds for its client: unparsed input, unsent output, channel queues."""
        held = self.reader.buffered + len(self._out) + sum(len(p) for p in self._queued)
        if self.connection is not None:
            held += self.connection.buffered
        return held

    def disconnect(self, reason: str, code: DisconnectReason = DisconnectReason.BY_APPLICATION) -> None:
        if not self.closed:
            self.state = "Disconnected"
        super().disconnect(reason, code)
        self._leave_registry()  # `display users` right after a reboot must not list us

    def _leave_registry(self) -> None:
        if self.vty is not None:
            self.device.sessions.detach(self.vty)
            self.vty = None

    def terminate(self, reason: str) -> None:
        """SessionHandle: the device ends this session (reboot, `undo ssh server enable`...)."""
        self.disconnect(reason, DisconnectReason.BY_APPLICATION)
        self.wakeup()

    def connection_lost(self) -> None:
        self.closed = True
        self.state = "Disconnected"
        self._leave_registry()
        # Cut the callbacks that point back at this core (the service layers' send, the
        # driver's wakeup): a finished connection is then freed by reference counting at once,
        # not by the cycle collector later, and the next login reuses its memory while warm.
        self.wakeup = _nothing
        if self.auth is not None:
            self.auth.send = _drop
        if self.connection is not None:
            self.connection.send = _drop
            self.connection.open_cli = _no_cli

    def info(self) -> SessionInfo:
        cipher = self.negotiated.cipher_s2c if self.negotiated else ""
        retries = self.auth.failures if self.auth else 0
        return SessionInfo(
            vty=self.vty if self.vty is not None else -1,
            version="2.0",
            cipher=cipher,
            state=self.state,
            retries=retries,
            service="Stelnet",
            username=self.username,
            peer=self.peer,
            since=self.login_time,
        )

    def log_summary(self) -> str:
        neg = self.negotiated.summary() if self.negotiated else "no algorithms negotiated"
        user = self.username or (self.auth.last_username if self.auth else "")
        if self.authenticated:
            result = f"login ok ({self.auth_method}, level {self.level})"
        elif self.auth is not None and self.auth.failures:
            result = f"no login ({self.auth.failures} failed attempt(s))"
        else:
            result = "no login"
        if self.kex_count > 1:
            result += f"; rekeyed {self.kex_count - 1} time(s)"
        if self.disconnect_reason:
            result += f"; closed: {self.disconnect_reason}"
        return f"SSH-2.0 client={self.client_software} {neg} user={user or '-'} {result}"


def _nothing() -> None:
    """The wakeup of a core whose connection is gone."""


def _drop(payload: bytes) -> None:
    """Where the service layers of a finished connection send: nowhere."""


def _no_cli(**_: Any) -> Any:
    raise ProtocolError("connection closed")

