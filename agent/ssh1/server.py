"""The SSH 1.5 server engine for one connection, sans-IO (spec part A; OpenSSH V_7_3_P1 sshd/auth1/session).

The connection driver has already exchanged identification lines and chosen this engine. From
there the server speaks first with SSH_SMSG_PUBLIC_KEY, and the connection walks through four
phases, each a method below:

1. key exchange: SSH_CMSG_SESSION_KEY -> session key, ciphers on, first encrypted SUCCESS;
2. authentication: USER, then password / RSA / (rhosts) requests, each answered SUCCESS or
   FAILURE. A user that does not exist is answered exactly like a wrong password, on the same
   code path, so the client cannot tell the two apart;
3. preparatory phase: compression, pty, window size, forwarding requests (refused like the
   switch does), max packet size, until EXEC_SHELL or EXEC_CMD;
4. interactive phase: STDIN into the device CLI, its output back as STDOUT, then EXITSTATUS and
   the client's EXIT_CONFIRMATION. STDIN waits in an :class:`~agent.inputqueue.InputQueue` and
   reaches the CLI a few lines per event-loop turn (:meth:`Ssh1ServerCore.process_backlog`), and
   not at all while the output waiting for the client is above the bound; SSH1 has no windows,
   so later packets stay unparsed (and the driver stops reading the socket) while input waits.

Peer input never raises out of :meth:`receive_data`: a :class:`ProtocolError` becomes an
SSH_MSG_DISCONNECT in the outgoing bytes and :attr:`closed`.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric import rsa

from agent.errors import ProtocolError
from agent.identification import ClientVersion
from agent.inputqueue import OUTPUT_BOUND, TURN_SECONDS, InputQueue
from agent.profiles.model import Profile
from agent.sessions import ALL_LINES_BUSY, CliSession, SessionInfo, SessionRegistry, SshSettings
from agent.ssh1.ciphers import CIPHERS, CIPHERS_BY_NUMBER
from agent.ssh1.messages import (
    AUTH_METHODS_BY_PROFILE_NAME,
    COOKIE_SIZE,
    IPTOS_LOWDELAY,
    IPTOS_THROUGHPUT,
    KEY_BITS_RESERVED,
    PROTOFLAG_HOST_IN_FWD_OPEN,
    AuthMethod,
    Msg,
    mask,
)
from agent.ssh1.packet import PacketReader, PacketWriter
from agent.ssh1.server_key import ServerKeyCache
from agent.ssh1.session_key import (
    challenge_response,
    encrypt_challenge,
    make_challenge,
    session_id,
    unwrap_session_key,
)
from agent.ssh1.ttymodes import parse_tty_modes
from agent.wire import Reader, mpint1, string, uint32

DEFAULT_DATA_CHUNK = 16 * 1024  # STDOUT_DATA payload size unless the client sets a max packet size
MIN_MAX_PACKET = 4096
MAX_MAX_PACKET = 1024 * 1024
MAX_USERNAME = 255

_KEX = "kex"
_USER = "user"
_AUTH = "auth"
_RSA_RESPONSE = "rsa-response"
_PREPARATORY = "preparatory"
_INTERACTIVE = "interactive"
_EXITING = "exiting"
_CLOSED = "closed"

_DISPLAY_STATE = {
    _KEX: "Keys-exchange",
    _USER: "Auth-request",
    _AUTH: "Auth-request",
    _RSA_RESPONSE: "Auth-request",
    _PREPARATORY: "Serv-request",
    _INTERACTIVE: "Established",
    _EXITING: "Established",
    _CLOSED: "Disconnected",
}


def _peer_port(peer: str) -> int | None:
    _, _, port = peer.rpartition(":")
    return int(port) if port.isdigit() else None


class RsaHostKey(Protocol):
    @property
    def rsa_private_key(self) -> rsa.RSAPrivateKey:
        """The RSA host key (KeyError when there is none)."""
        ...


class Ssh1Device(Protocol):
    """What the SSH 1.5 server reads from the device it serves (agent.device.Device is one)."""

    @property
    def profile(self) -> Profile: ...

    @property
    def ssh(self) -> SshSettings: ...

    @property
    def host_keys(self) -> RsaHostKey: ...

    @property
    def sessions(self) -> SessionRegistry: ...

    def authenticate_password(self, username: str, password: bytes) -> int | None: ...

    def rsa1_keys(self, username: str) -> list[tuple[int, int]]: ...

    def peer_rsa1_keys(self) -> list[tuple[int, int]]:
        """``(e, n)`` of every RSA key the device knows (`public-key peer`): the hosts RhostsRSA trusts."""
        ...

    def has_local_user(self, username: str) -> bool: ...

    def user_level(self, username: str) -> int: ...

    def open_cli(
        self, username: str, level: int, *, interactive: bool, width: int, height: int, term: str,
        vty: int | None, peer: str,
    ) -> CliSession: ...


class Ssh1ServerCore:
    """One SSH 1.5 server connection; implements :class:`agent.server.core.ServerCore`.

    ``server_key`` may be the device's :class:`ServerKeyCache` (the driver keeps one per device),
    a fixed RSA private key (tests), or None to use the cache attached to ``device``.
    """

    def __init__(
        self,
        device: Ssh1Device,
        client_version: ClientVersion,
        server_line: str,
        peer: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        server_key: ServerKeyCache | rsa.RSAPrivateKey | None = None,
        random_bytes: Callable[[int], bytes] = os.urandom,
        deadline: float | None = None,
    ) -> None:
        self.device = device
        self.client_version = client_version
        self.server_line = server_line.rstrip("\r\n")
        self.peer = peer
        self.closed = False
        # Set by the connection driver: called when output appears outside receive_data/on_deadline
        # (a device-side terminate such as `reboot` from another session), so it gets written.
        self.wakeup: Callable[[], None] = _nothing
        self._clock = clock
        self._random = random_bytes
        self._out = bytearray()
        self._reader = PacketReader()
        self._writer = PacketWriter(random_bytes)
        self._phase = _KEX
        self._tos = IPTOS_THROUGHPUT
        # The login grace covers the whole pre-auth phase, from the TCP connection on (``deadline``
        # from the driver), so a client trickling its version line does not get a second one.
        self._deadline: float | None = (
            deadline if deadline is not None else clock() + float(device.ssh.authentication_timeout)
        )
        self._retries = int(device.ssh.authentication_retries)
        self._cipher_name = ""
        self._session_id = b""
        self._username = ""
        self._auth_method = ""
        self._level: int | None = None
        self._failures = 0
        self._challenge: tuple[bytes, str] | None = None  # (challenge, method) awaiting a response
        self._pty: dict[str, Any] | None = None
        self._data_chunk = DEFAULT_DATA_CHUNK
        self._cli: Any = None
        self._inbox = InputQueue()
        self._eof = False  # the client closed its input (no pty): the session ends after the queue
        self._exit_status: int | None = None
        self._vty: int | None = None
        self._since = 0.0
        self._result = "open"

        profile_ssh = device.profile.ssh
        self._cipher_mask = mask(
            [CIPHERS[name].number for name in profile_ssh.ssh1_ciphers if name in CIPHERS]
        )
        self._auth_methods = {AUTH_METHODS_BY_PROFILE_NAME[name] for name in profile_ssh.ssh1_auth}
        self._auth_mask = mask(sorted(self._auth_methods))
        try:
            self._host_key = device.host_keys.rsa_private_key
        except KeyError:
            self._fail(ProtocolError("No RSA host key is configured."))
            return
        self._server_key = self._choose_server_key(server_key)
        self._cookie = random_bytes(COOKIE_SIZE)
        self._send_public_key()

    # ------------------------------------------------------------------ ServerCore interface

    def receive_data(self, data: bytes) -> None:
        if self.closed:
            return
        self._reader.feed(data)
        try:
            while not self.closed and not self._inbox:  # queued STDIN: the rest waits for its turn
                packet = self._reader.next_packet()
                if packet is None:
                    break
                self._dispatch(*packet)
        except ProtocolError as exc:
            self._fail(exc)

    @property
    def has_backlog(self) -> bool:
        """Queued STDIN the CLI can take now (the driver then calls :meth:`process_backlog`)."""
        return bool(self._inbox) and self._cli is not None and not self.closed and len(self._out) < OUTPUT_BOUND

    def process_backlog(self) -> None:
        """One event-loop turn of queued STDIN; packets left unparsed while the queue was full follow."""
        try:
            self._drain()
            if not self._inbox and self._reader.buffered:
                self.receive_data(b"")
        except ProtocolError as exc:
            self._fail(exc)

    @property
    def login_failures(self) -> int:
        """Failed authentication attempts on this connection (the admission penalties count them)."""
        return self._failures

    def finish_input(self) -> bool:
        """SSH1 drops what was queued when the client leaves (the session's CLI is gone)."""
        return False

    def buffered_bytes(self) -> int:
        """Memory this connection holds for its client: unparsed input, unsent output, queued STDIN."""
        return self._reader.buffered + len(self._out) + len(self._inbox)

    def data_to_send(self) -> bytes:
        data = bytes(self._out)
        self._out.clear()
        return data

    def next_deadline(self) -> float | None:
        return None if self.closed else self._deadline

    def on_deadline(self, now: float) -> None:
        if not self.closed and self._deadline is not None and now >= self._deadline:
            self._result = "authentication timeout"
            self.disconnect("Authentication timed out.")

    def disconnect(self, reason: str) -> None:
        if self.closed:
            return
        self._send(Msg.MSG_DISCONNECT, string(reason))
        if self._result == "open":
            self._result = f"disconnected by device: {reason}"
        self._close()

    def terminate(self, reason: str) -> None:
        """SessionHandle hook used by the device (reboot, ``free user-interface``)."""
        self.disconnect(reason)
        self.wakeup()

    def connection_lost(self) -> None:
        if self._result == "open":
            self._result = "connection lost"
        self._close()
        self.wakeup = _nothing  # the driver's method: no cycle left, the connection is freed at once

    def info(self) -> SessionInfo:
        return SessionInfo(
            vty=self._vty if self._vty is not None else -1,
            version="1.5",
            cipher=self._cipher_name,
            state=_DISPLAY_STATE[self._phase],
            retries=self._failures,
            service="Stelnet",
            username=self._username,
            peer=self.peer,
            since=self._since,
        )

    def log_summary(self) -> str:
        return (
            f"SSH-1.5 peer={self.peer} client={self.client_version.software!r} "
            f"cipher={self._cipher_name or '-'} compression={'zlib' if self._writer.compressing else 'none'} "
            f"user={self._username or '-'} auth={self._auth_method or '-'} failures={self._failures} "
            f"result={self._result}"
        )

    # ------------------------------------------------------------------ extra state for the driver

    @property
    def tos(self) -> int:
        """IP type-of-service for the socket: THROUGHPUT until the interactive session, LOWDELAY after."""
        return self._tos

    @property
    def authenticated(self) -> bool:
        return self._level is not None

    @property
    def session_id(self) -> bytes:
        return self._session_id

    @property
    def server_key(self) -> rsa.RSAPrivateKey:
        return self._server_key

    # ------------------------------------------------------------------ output helpers

    def _send(self, msg_type: int, payload: bytes = b"") -> None:
        self._out += self._writer.encode(msg_type, payload)

    def _send_data(self, msg_type: int, data: bytes) -> None:
        for start in range(0, len(data), self._data_chunk):
            self._send(msg_type, string(data[start : start + self._data_chunk]))

    def _fail(self, exc: ProtocolError) -> None:
        if self._result == "open":
            self._result = f"protocol error: {exc.description}"
        if not self.closed:
            self._send(Msg.MSG_DISCONNECT, string(exc.description))
        self._close()

    def _close(self) -> None:
        self.closed = True
        self._phase = _CLOSED
        self._deadline = None
        self._cli = None
        self._inbox.clear()
        if self._vty is not None:
            self.device.sessions.detach(self._vty)
            self._vty = None

    # ------------------------------------------------------------------ key exchange

    def _choose_server_key(self, server_key: ServerKeyCache | rsa.RSAPrivateKey | None) -> rsa.RSAPrivateKey:
        if isinstance(server_key, rsa.RSAPrivateKey):
            key = server_key
        else:
            cache = server_key if server_key is not None else ServerKeyCache.for_device(self.device)
            key = cache.current(self._host_key.key_size)
        if abs(key.key_size - self._host_key.key_size) < KEY_BITS_RESERVED:
            raise ValueError("SSH1 server and host key moduli must differ by at least 128 bits")
        return key

    def _send_public_key(self) -> None:
        server = self._server_key.public_key().public_numbers()
        host = self._host_key.public_key().public_numbers()
        payload = (
            self._cookie
            + uint32(server.n.bit_length())
            + mpint1(server.e)
            + mpint1(server.n)
            + uint32(host.n.bit_length())
            + mpint1(host.e)
            + mpint1(host.n)
            + uint32(PROTOFLAG_HOST_IN_FWD_OPEN)
            + uint32(self._cipher_mask)
            + uint32(self._auth_mask)
        )
        self._send(Msg.SMSG_PUBLIC_KEY, payload)

    def _on_session_key(self, reader: Reader) -> None:
        cipher_number = reader.byte()
        cookie = reader.raw(COOKIE_SIZE)
        encrypted = reader.mpint1()
        reader.uint32()  # protocol flags: nothing the switch acts upon
        spec = CIPHERS_BY_NUMBER.get(cipher_number)
        if spec is None or not (self._cipher_mask >> cipher_number) & 1:
            raise ProtocolError("Warning: client selects unsupported cipher.")
        if not hmac.compare_digest(cookie, self._cookie):
            raise ProtocolError("IP Spoofing check bytes do not match.")
        host_n = self._host_key.public_key().public_numbers().n
        server_n = self._server_key.public_key().public_numbers().n
        self._session_id = session_id(host_n, server_n, self._cookie)
        key = unwrap_session_key(encrypted, self._server_key, self._host_key, self._session_id)
        self._reader.set_cipher(spec.decryptor(key))
        self._writer.set_cipher(spec.encryptor(key))
        self._cipher_name = spec.name
        self._phase = _USER
        self._send(Msg.SMSG_SUCCESS)

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, msg_type: int, payload: bytes) -> None:
        if msg_type in (Msg.MSG_IGNORE, Msg.MSG_DEBUG):
            return
        if msg_type == Msg.MSG_DISCONNECT:
            if self._result == "open":
                self._result = "disconnected by client"
            self._close()
            return
        reader = Reader(payload)
        phase = self._phase
        if phase == _KEX:
            if msg_type != Msg.CMSG_SESSION_KEY:
                raise ProtocolError(f"Protocol error: expected session key, got packet type {msg_type}.")
            self._on_session_key(reader)
        elif phase == _USER:
            if msg_type != Msg.CMSG_USER:
                raise ProtocolError(f"Protocol error: expected user name, got packet type {msg_type}.")
            self._on_user(reader)
        elif phase == _AUTH:
            self._on_auth_request(msg_type, reader)
        elif phase == _RSA_RESPONSE:
            if msg_type != Msg.CMSG_AUTH_RSA_RESPONSE:
                raise ProtocolError(f"Protocol error: expected RSA response, got packet type {msg_type}.")
            self._on_rsa_response(reader)
        elif phase == _PREPARATORY:
            self._on_preparatory(msg_type, reader)
        elif phase == _INTERACTIVE:
            self._on_interactive(msg_type, reader)
        elif phase == _EXITING:
            if msg_type == Msg.CMSG_EXIT_CONFIRMATION:
                self._result = f"exit status {self._exit_status}"
                self._close()
            # anything else after EXITSTATUS is read and dropped, as sshd does

    # ------------------------------------------------------------------ authentication

    def _on_user(self, reader: Reader) -> None:
        raw = reader.string()
        self._username = raw[:MAX_USERNAME].decode("utf-8", "replace")
        self._phase = _AUTH
        self._send(Msg.SMSG_FAILURE)  # every user must authenticate

    def _on_auth_request(self, msg_type: int, reader: Reader) -> None:
        if msg_type == Msg.CMSG_AUTH_PASSWORD:
            password = reader.string().split(b"\0", 1)[0]  # ssh1 pads with NULs to a multiple of 32
            if AuthMethod.PASSWORD in self._auth_methods:
                level = self.device.authenticate_password(self._username, password)
                if level is not None:
                    self._authenticated(level, "password")
                    return
            self._auth_failed()
        elif msg_type == Msg.CMSG_AUTH_RSA:
            modulus = reader.mpint1()
            key = self._authorized_rsa1_key(modulus) if AuthMethod.RSA in self._auth_methods else None
            if key is None:
                # "Server refused our key": not counted as an attempt, the client tries its next key
                self._send(Msg.SMSG_FAILURE)
            else:
                self._send_challenge(key, "rsa")
        elif msg_type == Msg.CMSG_AUTH_RHOSTS:
            client_user = reader.string()
            if self._rhosts_allowed(AuthMethod.RHOSTS, client_user):
                level = self._user_level()
                if level is not None:
                    self._authenticated(level, "rhosts")
                    return
            self._auth_failed()
        elif msg_type == Msg.CMSG_AUTH_RHOSTS_RSA:
            client_user = reader.string()
            reader.uint32()
            e, n = reader.mpint1(), reader.mpint1()
            if self._rhosts_allowed(AuthMethod.RHOSTS_RSA, client_user) and self._known_host_key(e, n):
                self._send_challenge((e, n), "rhosts-rsa")
            else:
                self._auth_failed()
        else:
            # TIS, Kerberos, AFS, USER again, session requests before login...: refused, never fatal
            self._send(Msg.SMSG_FAILURE)

    def _authorized_rsa1_key(self, modulus: int) -> tuple[int, int] | None:
        for e, n in self.device.rsa1_keys(self._username):
            if n == modulus:
                return e, n
        return None

    def _known_host_key(self, e: int, n: int) -> bool:
        """RhostsRSA proves the client *host*: its key must be one the device knows (`public-key peer`)."""
        return (e, n) in self.device.peer_rsa1_keys()

    def _rhosts_allowed(self, method: AuthMethod, client_user: bytes) -> bool:
        """rhosts trusts the client host: only when enabled, from a privileged source port (like sshd),
        for a configured local user of the same name (the device has no hosts.equiv to map names)."""
        port = _peer_port(self.peer)
        return (
            method in self._auth_methods
            and port is not None
            and port < 1024
            and client_user.decode("utf-8", "replace") == self._username
            and self.device.has_local_user(self._username)
        )

    def _user_level(self) -> int | None:
        try:
            level = self.device.user_level(self._username)
        except (KeyError, LookupError, ValueError):
            return None
        return level if isinstance(level, int) else None

    def _send_challenge(self, key: tuple[int, int], method: str) -> None:
        challenge = make_challenge()
        try:
            encrypted = encrypt_challenge(challenge, *key)
        except ValueError:  # modulus too small or otherwise unusable for PKCS#1 v1.5
            self._auth_failed()
            return
        self._challenge = (challenge, method)
        self._phase = _RSA_RESPONSE
        self._send(Msg.SMSG_AUTH_RSA_CHALLENGE, mpint1(encrypted))

    def _on_rsa_response(self, reader: Reader) -> None:
        response = reader.raw(16)
        assert self._challenge is not None
        challenge, method = self._challenge
        self._challenge = None
        self._phase = _AUTH
        if hmac.compare_digest(response, challenge_response(challenge, self._session_id)):
            level = self._user_level()
            if level is not None:
                self._authenticated(level, method)
                return
        self._auth_failed()

    def _auth_failed(self) -> None:
        self._failures += 1
        if self._failures >= self._retries:
            self._result = "too many authentication failures"
            self.disconnect("Too many authentication failures.")  # no user name: same bytes for every user
            return
        self._send(Msg.SMSG_FAILURE)

    def _authenticated(self, level: int, method: str) -> None:
        self._level = level
        self._auth_method = method
        self._deadline = None
        self._phase = _PREPARATORY
        self._since = time.time()
        self._vty = self.device.sessions.attach(self, self.device.profile.ssh.limits.vty_lines)
        if self._vty is None:
            self._result = "refused: every VTY line in use"
            self.disconnect(ALL_LINES_BUSY)
            return
        self._send(Msg.SMSG_SUCCESS)

    # ------------------------------------------------------------------ preparatory phase

    def _on_preparatory(self, msg_type: int, reader: Reader) -> None:
        if msg_type == Msg.CMSG_REQUEST_COMPRESSION:
            level = reader.uint32()
            if 1 <= level <= 9 and not self._writer.compressing:
                self._send(Msg.SMSG_SUCCESS)  # sent uncompressed; both directions compress from here on
                self._writer.start_compression(level)
                self._reader.start_compression()
            else:
                self._send(Msg.SMSG_FAILURE)
        elif msg_type == Msg.CMSG_REQUEST_PTY:
            if self._pty is not None:
                raise ProtocolError("Protocol error: you already have a pty.")
            term = reader.string().decode("ascii", "replace")
            rows, cols, xpixels, ypixels = reader.uint32(), reader.uint32(), reader.uint32(), reader.uint32()
            modes = parse_tty_modes(reader.rest())
            self._pty = {"term": term, "rows": rows, "cols": cols, "xpixels": xpixels, "ypixels": ypixels}
            self._pty["modes"] = modes
            self._send(Msg.SMSG_SUCCESS)
        elif msg_type == Msg.CMSG_WINDOW_SIZE:
            self._on_window_size(reader)
        elif msg_type == Msg.CMSG_MAX_PACKET_SIZE:
            size = reader.uint32()
            if MIN_MAX_PACKET <= size <= MAX_MAX_PACKET:
                self._data_chunk = min(DEFAULT_DATA_CHUNK, size - 32)
                self._send(Msg.SMSG_SUCCESS)
            else:
                self._send(Msg.SMSG_FAILURE)
        elif msg_type == Msg.CMSG_EXEC_SHELL:
            self._start_shell()
        elif msg_type == Msg.CMSG_EXEC_CMD:
            command = reader.string().decode("utf-8", "replace")
            self._run_command(command)
        else:
            # X11 / port / agent forwarding (refused like the switch) and anything unknown
            self._send(Msg.SMSG_FAILURE)

    def _on_window_size(self, reader: Reader) -> None:
        rows, cols = reader.uint32(), reader.uint32()
        reader.uint32(), reader.uint32()
        if self._pty is not None:
            self._pty.update(rows=rows, cols=cols)
        if self._cli is not None and rows and cols:
            self._cli.resize(cols, rows)

    def _cli_geometry(self) -> dict[str, Any]:
        """open_cli keyword arguments: terminal geometry, plus vty/peer for `display users`."""
        pty = self._pty or {}
        return {
            "width": pty.get("cols") or 80,
            "height": pty.get("rows") or 24,
            "term": pty.get("term") or "vt100",
            "vty": self._vty,
            "peer": self.peer,
        }

    def _logged_in_level(self) -> int:
        assert self._level is not None, "a shell or a command runs only after authentication"
        return self._level

    def _start_shell(self) -> None:
        self._phase = _INTERACTIVE
        self._tos = IPTOS_LOWDELAY
        self._cli = self.device.open_cli(
            self._username, self._logged_in_level(), interactive=True, **self._cli_geometry()
        )
        self._send_data(Msg.SMSG_STDOUT_DATA, self._cli.start())
        if self._cli.closed:
            self._finish(self._cli.exit_status)

    def _run_command(self, command: str) -> None:
        self._phase = _INTERACTIVE
        self._tos = IPTOS_LOWDELAY
        cli = self.device.open_cli(self._username, self._logged_in_level(), interactive=False, **self._cli_geometry())
        output, status = cli.execute(command)
        self._send_data(Msg.SMSG_STDOUT_DATA, output)
        self._finish(status)

    # ------------------------------------------------------------------ interactive phase

    def _on_interactive(self, msg_type: int, reader: Reader) -> None:
        if msg_type == Msg.CMSG_STDIN_DATA:
            data = reader.string()
            if self._cli is not None:
                self._inbox.push(data)
                self._drain()
        elif msg_type == Msg.CMSG_EOF:
            # Without a pty EOF closes the shell's input, which ends a CLI (once the queued input
            # has run). With a pty sshd could not shut the pty down either, so the session goes on
            # until `quit` or a disconnect.
            if self._pty is None and self._cli is not None:
                self._eof = True
                if not self._inbox:
                    self._finish(self._cli.exit_status)
        elif msg_type == Msg.CMSG_WINDOW_SIZE:
            self._on_window_size(reader)
        else:
            raise ProtocolError(f"Protocol error during session: packet type {msg_type}.")

    def _drain(self) -> None:
        """Hand the CLI one turn's worth of queued STDIN, unless the client's output is piling up."""
        cli = self._cli
        if cli is None:
            self._inbox.clear()
            return
        stop = self._clock() + TURN_SECONDS  # one line at a time while this turn lasts (at least one)
        while self._inbox and len(self._out) < OUTPUT_BOUND:
            self._send_data(Msg.SMSG_STDOUT_DATA, cli.feed(self._inbox.take()))
            if cli.closed:
                self._finish(cli.exit_status)
                return
            if self._clock() >= stop:
                break
        if self._eof and not self._inbox:
            self._finish(cli.exit_status)

    def _finish(self, status: int) -> None:
        self._exit_status = int(status) & 0xFFFFFFFF
        self._cli = None
        self._inbox.clear()
        self._phase = _EXITING
        self._send(Msg.SMSG_EXITSTATUS, uint32(self._exit_status))


def _nothing() -> None:
    """The wakeup of a core no driver listens to (yet, or any more)."""
