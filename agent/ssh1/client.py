"""A sans-IO SSH 1.5 client core: identification, key exchange, password/RSA login, one session.

Used by the blocking :class:`agent.ssh1.transport.Ssh1Client` (the controller's transport for
SSH1-only switches) and directly by unit tests, which wire it to :class:`Ssh1ServerCore` in
memory. It follows what OpenSSH 7.5's ``sshconnect1.c`` does on the wire: RSA before password,
the password padded with NULs to a multiple of 32 bytes, one preparatory request at a time.

Requests made before login are queued and sent in order once authenticated; each waits for
its SUCCESS/FAILURE before the next goes out. That ordering matters for compression, which
both sides switch on right after its SUCCESS.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from agent.errors import ProtocolError
from agent.identification import IdentificationReader
from agent.ssh1.ciphers import CIPHERS
from agent.ssh1.messages import COOKIE_SIZE, KEY_BITS_RESERVED, SESSION_KEY_SIZE, AuthMethod, Msg
from agent.ssh1.packet import PacketReader, PacketWriter
from agent.ssh1.session_key import (
    challenge_response,
    decrypt_challenge,
    modulus_bytes,
    session_id,
    wrap_session_key,
)
from agent.ssh1.ttymodes import encode_tty_modes
from agent.wire import Reader, mpint1, string, uint32

CLIENT_VERSION = "SSH-1.5-switch_agent_0.1"


# ---------------------------------------------------------------------- events


@dataclass(frozen=True)
class ServerKeys:
    """SSH_SMSG_PUBLIC_KEY arrived; ``host_key``/``server_key`` are (e, n)."""

    server_version: str
    host_key: tuple[int, int]
    server_key: tuple[int, int]
    cipher_mask: int
    auth_mask: int

    @property
    def md5_fingerprint(self) -> str:
        """PuTTY's form: ``bits aa:bb:...`` over MD5(n || e)."""
        e, n = self.host_key
        digest = hashlib.md5(modulus_bytes(n) + modulus_bytes(e)).hexdigest()
        return f"{n.bit_length()} " + ":".join(digest[i : i + 2] for i in range(0, 32, 2))


@dataclass(frozen=True)
class Authenticated:
    method: str  # "none", "rsa" or "password"


@dataclass(frozen=True)
class AuthenticationFailed:
    reason: str


@dataclass(frozen=True)
class RequestAnswered:
    request: str  # "compression", "pty", "x11", "port-forward", "agent", "max-packet-size"
    accepted: bool


@dataclass(frozen=True)
class SessionStarted:
    kind: str  # "shell" or "exec"


@dataclass(frozen=True)
class Output:
    data: bytes
    stderr: bool = False


@dataclass(frozen=True)
class ExitStatus:
    status: int


@dataclass(frozen=True)
class Disconnected:
    reason: str
    by_server: bool


Event = (
    ServerKeys
    | Authenticated
    | AuthenticationFailed
    | RequestAnswered
    | SessionStarted
    | Output
    | ExitStatus
    | Disconnected
)


@dataclass
class _Request:
    name: str
    msg_type: int
    payload: bytes
    expects_reply: bool
    compression_level: int = 0


def pad_password(password: bytes) -> bytes:
    """OpenSSH ``ssh_put_password``: NUL-pad to ROUNDUP(len + 1, 32) so the length leaks less."""
    size = (len(password) + 1 + 31) // 32 * 32
    return password.ljust(size, b"\0")


class Ssh1ClientCore:
    """One SSH1 client connection; feed socket bytes, send :meth:`data_to_send`, read :meth:`events`."""

    def __init__(
        self,
        username: str,
        *,
        password: bytes | str | None = None,
        rsa_key: rsa.RSAPrivateKey | None = None,
        cipher: str = "3des",
        version: str = CLIENT_VERSION,
        host_key_check: Callable[[ServerKeys], bool] | None = None,
        pad_passwords: bool = True,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if cipher not in CIPHERS or cipher == "none":
            raise ValueError(f"unknown SSH1 cipher {cipher!r}; expected one of 3des, blowfish, des")
        self.username = username
        self._password = password.encode("utf-8") if isinstance(password, str) else password
        self._rsa_key = rsa_key
        self._cipher = CIPHERS[cipher]
        self._version = version
        self._host_key_check = host_key_check
        self._pad_passwords = pad_passwords
        self._random = random_bytes
        self._identification = IdentificationReader()
        self._reader = PacketReader()
        self._writer = PacketWriter(random_bytes)
        self._out = bytearray()
        self._events: deque[Event] = deque()
        self._phase = "version"
        self._methods: list[str] = []
        self._method = ""
        self._server_version = ""
        self._queue: deque[_Request] = deque()
        self._waiting: _Request | None = None
        self.server_keys: ServerKeys | None = None
        self.session_id = b""
        self.authenticated = False
        self.closed = False
        self.exit_status: int | None = None

    # ------------------------------------------------------------------ I/O

    def receive_data(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            if self._phase == "version":
                version = self._identification.feed(data)
                if version is None:
                    return
                self._on_server_version(version.line, version.protocol)
                data = self._identification.leftover
            self._reader.feed(data)
            while not self.closed:
                packet = self._reader.next_packet()
                if packet is None:
                    break
                self._dispatch(*packet)
        except ProtocolError as exc:
            self._abort(exc.description)

    def data_to_send(self) -> bytes:
        data = bytes(self._out)
        self._out.clear()
        return data

    def events(self) -> list[Event]:
        """Drain the events produced so far, oldest first."""
        events = list(self._events)
        self._events.clear()
        return events

    @property
    def cipher_name(self) -> str:
        return self._cipher.name

    # ------------------------------------------------------------------ session requests

    def request_compression(self, level: int = 6) -> None:
        self._enqueue(_Request("compression", Msg.CMSG_REQUEST_COMPRESSION, uint32(level), True, level))

    def request_pty(
        self, term: str = "vt100", rows: int = 24, cols: int = 80, modes: dict[int, int] | None = None
    ) -> None:
        payload = (
            string(term) + uint32(rows) + uint32(cols) + uint32(0) + uint32(0) + encode_tty_modes(modes or {})
        )
        self._enqueue(_Request("pty", Msg.CMSG_REQUEST_PTY, payload, True))

    def request_max_packet_size(self, size: int) -> None:
        self._enqueue(_Request("max-packet-size", Msg.CMSG_MAX_PACKET_SIZE, uint32(size), True))

    def request_x11_forwarding(self) -> None:
        self._enqueue(
            _Request(
                "x11", Msg.CMSG_X11_REQUEST_FORWARDING, string("MIT-MAGIC-COOKIE-1") + string("00"), True
            )
        )

    def request_port_forwarding(self, port: int, host: str, host_port: int) -> None:
        payload = uint32(port) + string(host) + uint32(host_port)
        self._enqueue(_Request("port-forward", Msg.CMSG_PORT_FORWARD_REQUEST, payload, True))

    def request_agent_forwarding(self) -> None:
        self._enqueue(_Request("agent", Msg.CMSG_AGENT_REQUEST_FORWARDING, b"", True))

    def exec_shell(self) -> None:
        self._enqueue(_Request("shell", Msg.CMSG_EXEC_SHELL, b"", False))

    def exec_command(self, command: str) -> None:
        self._enqueue(_Request("exec", Msg.CMSG_EXEC_CMD, string(command), False))

    def send_stdin(self, data: bytes) -> None:
        if self._phase != "interactive":
            raise RuntimeError("the session has not started")
        for start in range(0, len(data), 16 * 1024):
            self._send(Msg.CMSG_STDIN_DATA, string(data[start : start + 16 * 1024]))

    def send_eof(self) -> None:
        if self._phase == "interactive":
            self._send(Msg.CMSG_EOF)

    def window_change(self, rows: int, cols: int) -> None:
        if self._phase in ("preparatory", "interactive"):
            self._send(Msg.CMSG_WINDOW_SIZE, uint32(rows) + uint32(cols) + uint32(0) + uint32(0))

    def send_ignore(self, data: bytes = b"") -> None:
        """SSH_MSG_IGNORE, as PuTTY sends around its password (valid once the session key is set)."""
        self._send(Msg.MSG_IGNORE, string(data))

    def disconnect(self, reason: str = "disconnected by user") -> None:
        if not self.closed and self._phase != "version":
            self._send(Msg.MSG_DISCONNECT, string(reason))
        self._close(reason, by_server=False)

    # ------------------------------------------------------------------ internals

    def _send(self, msg_type: int, payload: bytes = b"") -> None:
        self._out += self._writer.encode(msg_type, payload)

    def _close(self, reason: str, *, by_server: bool) -> None:
        if not self.closed:
            self.closed = True
            self._phase = "closed"
            self._events.append(Disconnected(reason, by_server))

    def _abort(self, reason: str) -> None:
        if not self.closed and self._phase not in ("version", "public-key"):
            self._send(Msg.MSG_DISCONNECT, string(reason))
        self._close(reason, by_server=False)

    def _enqueue(self, request: _Request) -> None:
        self._queue.append(request)
        self._pump()

    def _pump(self) -> None:
        """Send queued requests one at a time once the preparatory phase has begun."""
        while self._phase == "preparatory" and self._waiting is None and self._queue:
            request = self._queue.popleft()
            self._send(request.msg_type, request.payload)
            if request.expects_reply:
                self._waiting = request
            else:
                self._phase = "interactive"
                self._events.append(SessionStarted(request.name))

    def _on_server_version(self, line: str, protocol: str) -> None:
        major, _, minor = protocol.partition(".")
        if major != "1" or minor not in ("5", "99"):
            raise ProtocolError(
                f"Protocol major versions differ: 1 vs. {major}" if major != "1" else "bad version"
            )
        self._server_version = line
        self._out += (self._version + "\n").encode("ascii")
        self._phase = "public-key"

    def _dispatch(self, msg_type: int, payload: bytes) -> None:
        if msg_type in (Msg.MSG_IGNORE, Msg.MSG_DEBUG):
            return
        reader = Reader(payload)
        if msg_type == Msg.MSG_DISCONNECT:
            reason = reader.string().decode("utf-8", "replace") if reader.remaining else ""
            if self._phase in ("user", "auth") and not self.authenticated:
                self._events.append(AuthenticationFailed(reason))
            self._close(reason, by_server=True)
            return
        handler = getattr(self, f"_on_{self._phase.replace('-', '_')}")
        handler(msg_type, reader)

    def _expect(self, msg_type: int, wanted: tuple[int, ...], what: str) -> None:
        if msg_type not in wanted:
            raise ProtocolError(f"Protocol error: expected {what}, got packet type {msg_type}")

    def _on_public_key(self, msg_type: int, reader: Reader) -> None:
        self._expect(msg_type, (Msg.SMSG_PUBLIC_KEY,), "public key")
        cookie = reader.raw(COOKIE_SIZE)
        reader.uint32()
        server_key = (reader.mpint1(), reader.mpint1())
        reader.uint32()
        host_key = (reader.mpint1(), reader.mpint1())
        reader.uint32()  # protocol flags
        cipher_mask, auth_mask = reader.uint32(), reader.uint32()
        keys = ServerKeys(self._server_version, host_key, server_key, cipher_mask, auth_mask)
        self.server_keys = keys
        self._events.append(keys)
        if abs(host_key[1].bit_length() - server_key[1].bit_length()) < KEY_BITS_RESERVED:
            raise ProtocolError("respond_to_rsa_challenge: host_key and server_key moduli too close")
        if not (cipher_mask >> self._cipher.number) & 1:
            raise ProtocolError(f"Selected cipher type {self._cipher.name} not supported by server.")
        if self._host_key_check is not None and not self._host_key_check(keys):
            raise ProtocolError("Host key verification failed.")
        self.session_id = session_id(host_key[1], server_key[1], cookie)
        key = self._random(SESSION_KEY_SIZE)
        try:
            encrypted = wrap_session_key(key, self.session_id, server_key, host_key)
        except ValueError as exc:
            raise ProtocolError(f"cannot encrypt the session key: {exc}") from exc
        self._send(
            Msg.CMSG_SESSION_KEY, bytes((self._cipher.number,)) + cookie + mpint1(encrypted) + uint32(0)
        )
        self._reader.set_cipher(self._cipher.decryptor(key))
        self._writer.set_cipher(self._cipher.encryptor(key))
        self._methods = []
        if self._rsa_key is not None and (auth_mask >> AuthMethod.RSA) & 1:
            self._methods.append("rsa")
        if self._password is not None and (auth_mask >> AuthMethod.PASSWORD) & 1:
            self._methods.append("password")
        self._phase = "session-key"

    def _on_session_key(self, msg_type: int, reader: Reader) -> None:
        self._expect(msg_type, (Msg.SMSG_SUCCESS,), "SUCCESS after the session key")
        self._send(Msg.CMSG_USER, string(self.username))
        self._phase = "user"

    def _on_user(self, msg_type: int, reader: Reader) -> None:
        self._expect(msg_type, (Msg.SMSG_SUCCESS, Msg.SMSG_FAILURE), "SUCCESS or FAILURE")
        if msg_type == Msg.SMSG_SUCCESS:
            self._login("none")
        else:
            self._phase = "auth"
            self._next_method()

    def _next_method(self) -> None:
        if not self._methods:
            self._events.append(AuthenticationFailed("Permission denied."))
            self.disconnect("Permission denied.")
            return
        self._method = self._methods.pop(0)
        if self._method == "rsa":
            assert self._rsa_key is not None
            self._send(Msg.CMSG_AUTH_RSA, mpint1(self._rsa_key.public_key().public_numbers().n))
        else:
            assert self._password is not None
            password = pad_password(self._password) if self._pad_passwords else self._password
            self._send(Msg.CMSG_AUTH_PASSWORD, string(password))

    def _on_auth(self, msg_type: int, reader: Reader) -> None:
        if self._method == "rsa" and msg_type == Msg.SMSG_AUTH_RSA_CHALLENGE:
            assert self._rsa_key is not None
            encrypted = reader.mpint1()
            try:
                challenge = decrypt_challenge(encrypted, self._rsa_key)
            except (ValueError, OverflowError) as exc:
                raise ProtocolError("bad RSA challenge") from exc
            self._send(Msg.CMSG_AUTH_RSA_RESPONSE, challenge_response(challenge, self.session_id))
            return
        self._expect(msg_type, (Msg.SMSG_SUCCESS, Msg.SMSG_FAILURE), "authentication reply")
        if msg_type == Msg.SMSG_SUCCESS:
            self._login(self._method)
        else:
            self._next_method()

    def _login(self, method: str) -> None:
        self.authenticated = True
        self._phase = "preparatory"
        self._events.append(Authenticated(method))
        self._pump()

    def _on_preparatory(self, msg_type: int, reader: Reader) -> None:
        self._expect(msg_type, (Msg.SMSG_SUCCESS, Msg.SMSG_FAILURE), "request reply")
        request = self._waiting
        if request is None:
            raise ProtocolError("Protocol error: reply without a request")
        self._waiting = None
        accepted = msg_type == Msg.SMSG_SUCCESS
        if accepted and request.name == "compression":
            self._writer.start_compression(request.compression_level)
            self._reader.start_compression()
        self._events.append(RequestAnswered(request.name, accepted))
        self._pump()

    def _on_interactive(self, msg_type: int, reader: Reader) -> None:
        if msg_type in (Msg.SMSG_STDOUT_DATA, Msg.SMSG_STDERR_DATA):
            self._events.append(Output(reader.string(), stderr=msg_type == Msg.SMSG_STDERR_DATA))
        elif msg_type == Msg.SMSG_EXITSTATUS:
            self.exit_status = reader.uint32()
            self._send(Msg.CMSG_EXIT_CONFIRMATION)
            self._events.append(ExitStatus(self.exit_status))
            self._close("exit", by_server=True)
        elif msg_type in (Msg.SMSG_SUCCESS, Msg.SMSG_FAILURE):
            return  # late replies are harmless
        else:
            raise ProtocolError(f"Protocol error during session: packet type {msg_type}")
