"""A sans-IO SSH-2 client: the server's counterpart in unit tests, fuzzing and benchmarks.

It speaks the same transport (it is the other role of :class:`Transport`), authenticates with
a password or a private key, opens one session channel and runs ``exec`` or an interactive
``shell``. It is deliberately small: production automation uses netmiko/paramiko.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms import CIPHERS, COMPRESSIONS, KEX_METHODS, MACS
from agent.ssh2.algorithms.hostkey import HostKey, verify_signature
from agent.ssh2.algorithms.kex import KexClient, KexInputs, KexOutcome
from agent.ssh2.constants import (
    MSG_CHANNEL_CLOSE,
    MSG_CHANNEL_DATA,
    MSG_CHANNEL_EOF,
    MSG_CHANNEL_EXTENDED_DATA,
    MSG_CHANNEL_FAILURE,
    MSG_CHANNEL_OPEN,
    MSG_CHANNEL_OPEN_CONFIRMATION,
    MSG_CHANNEL_OPEN_FAILURE,
    MSG_CHANNEL_REQUEST,
    MSG_CHANNEL_SUCCESS,
    MSG_CHANNEL_WINDOW_ADJUST,
    MSG_EXT_INFO,
    MSG_GLOBAL_REQUEST,
    MSG_REQUEST_FAILURE,
    MSG_SERVICE_ACCEPT,
    MSG_SERVICE_REQUEST,
    MSG_USERAUTH_BANNER,
    MSG_USERAUTH_FAILURE,
    MSG_USERAUTH_INFO_REQUEST,
    MSG_USERAUTH_REQUEST,
    MSG_USERAUTH_SUCCESS,
)
from agent.ssh2.negotiation import Negotiated
from agent.ssh2.transport import Transport
from agent.wire import Reader, boolean, byte, string, uint32

CLIENT_VERSION = "SSH-2.0-switch-agent_0.1"
_WINDOW = 1 << 21


@dataclass
class ClientOptions:
    kex: list[str] = field(default_factory=lambda: list(KEX_METHODS))
    host_key: list[str] = field(
        default_factory=lambda: ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
    )
    cipher: list[str] = field(default_factory=lambda: list(CIPHERS))
    mac: list[str] = field(default_factory=lambda: list(MACS))
    compression: list[str] = field(default_factory=lambda: ["none", *[c for c in COMPRESSIONS if c != "none"]])
    username: str = "admin"
    password: str | None = None
    key: HostKey | None = None  # user key for publickey auth
    key_algorithm: str | None = None
    auth_attempts: int = 1  # password attempts before giving up
    command: str | None = None  # exec this; None = interactive shell with a pty
    term: str = "vt100"
    width: int = 80
    height: int = 24
    window: int = _WINDOW  # receive window of the session channel (0: a client that never reads)


class ClientTransport(Transport):
    is_server = False

    def __init__(
        self, options: ClientOptions, server_version: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(CLIENT_VERSION, server_version, clock=clock)
        self.options = options
        self.host_key_blob: bytes | None = None
        self.authenticated = False
        self.auth_failures = 0
        self.output = bytearray()
        self.exit_status: int | None = None
        self.channel_open = False
        self.channel_closed = False
        self._remote_channel = 0
        self._remote_window = 0
        self._pending = bytearray()
        self._tried_password = False
        self.send_kexinit()

    # ---- transport hooks --------------------------------------------------------------------

    def _kexinit_lists(self) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        o = self.options
        return list(o.kex), list(o.host_key), list(o.cipher), list(o.mac), list(o.compression)

    def _start_kex(self, negotiated: Negotiated, inputs: KexInputs) -> list[bytes]:
        kex = KexClient(KEX_METHODS[negotiated.kex], inputs)
        self._kex = kex
        return kex.start()

    def _kex_finished(self, outcome: KexOutcome) -> None:
        assert self.negotiated is not None
        if not verify_signature(self.negotiated.host_key, outcome.host_key_blob, outcome.signature, outcome.h):
            raise ProtocolError("host key signature does not verify", DisconnectReason.HOST_KEY_NOT_VERIFIABLE)
        if self.host_key_blob is not None and self.host_key_blob != outcome.host_key_blob:
            raise ProtocolError("host key changed during rekey", DisconnectReason.HOST_KEY_NOT_VERIFIABLE)
        self.host_key_blob = outcome.host_key_blob

    def _after_first_kex(self) -> None:
        self.send_payload(byte(MSG_SERVICE_REQUEST) + string(b"ssh-userauth"))

    # ---- service layer ----------------------------------------------------------------------

    def _auth_request(self) -> None:
        o = self.options
        base = string(o.username) + string(b"ssh-connection")
        if o.key is not None and not self._tried_password:
            algorithm = o.key_algorithm or o.key.algorithms[0]
            unsigned = base + string(b"publickey") + boolean(True) + string(algorithm) + string(o.key.blob)
            assert self.session_id is not None
            signature = o.key.sign(algorithm, string(self.session_id) + byte(MSG_USERAUTH_REQUEST) + unsigned)
            self._tried_password = True
            self.send_payload(byte(MSG_USERAUTH_REQUEST) + unsigned + string(signature))
        elif o.password is not None:
            self.send_payload(
                byte(MSG_USERAUTH_REQUEST) + base + string(b"password") + boolean(False) + string(o.password)
            )
        else:
            self.disconnect("no authentication methods left", DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE)

    def _dispatch(self, msg_type: int, payload: bytes) -> None:
        reader = Reader(payload, 1)
        if msg_type == MSG_EXT_INFO:
            return
        if msg_type == MSG_SERVICE_ACCEPT:
            self._auth_request()
        elif msg_type == MSG_USERAUTH_BANNER:
            return
        elif msg_type == MSG_USERAUTH_FAILURE:
            self.auth_failures += 1
            password_tries = self.auth_failures - (1 if self.options.key is not None else 0)
            if self.options.password is not None and password_tries < self.options.auth_attempts:
                self._auth_request()
            else:
                self.disconnect("authentication failed", DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE)
        elif msg_type == MSG_USERAUTH_INFO_REQUEST:
            raise ProtocolError("keyboard-interactive was not requested")
        elif msg_type == MSG_USERAUTH_SUCCESS:
            self.authenticated = True
            self._start_delayed_compression()
            self.send_payload(
                byte(MSG_CHANNEL_OPEN) + string(b"session") + uint32(0) + uint32(self.options.window) + uint32(32768)
            )
        elif msg_type == MSG_CHANNEL_OPEN_CONFIRMATION:
            reader.uint32()
            self._remote_channel = reader.uint32()
            self._remote_window = reader.uint32()
            self.channel_open = True
            self._start_session()
        elif msg_type == MSG_CHANNEL_OPEN_FAILURE:
            raise ProtocolError("session channel refused", DisconnectReason.BY_APPLICATION)
        elif msg_type in (MSG_CHANNEL_DATA, MSG_CHANNEL_EXTENDED_DATA):
            reader.uint32()
            if msg_type == MSG_CHANNEL_EXTENDED_DATA:
                reader.uint32()
            data = reader.string()
            self.output += data
            self.send_payload(byte(MSG_CHANNEL_WINDOW_ADJUST) + uint32(self._remote_channel) + uint32(len(data)))
        elif msg_type == MSG_CHANNEL_WINDOW_ADJUST:
            reader.uint32()
            self._remote_window += reader.uint32()
            self._flush_input()
        elif msg_type == MSG_CHANNEL_REQUEST:
            reader.uint32()
            request = reader.text()
            reader.boolean()
            if request == "exit-status":
                self.exit_status = reader.uint32()
        elif msg_type == MSG_CHANNEL_EOF or msg_type in (MSG_CHANNEL_SUCCESS, MSG_CHANNEL_FAILURE):
            return
        elif msg_type == MSG_CHANNEL_CLOSE:
            if not self.channel_closed:
                self.channel_closed = True
                self.send_payload(byte(MSG_CHANNEL_CLOSE) + uint32(self._remote_channel))
        elif msg_type == MSG_GLOBAL_REQUEST:
            reader.text()
            if reader.boolean():
                self.send_payload(byte(MSG_REQUEST_FAILURE))
        else:
            raise ProtocolError(f"client got unexpected message {msg_type}")

    def _start_session(self) -> None:
        o = self.options
        ch = uint32(self._remote_channel)
        if o.command is not None:
            self.send_payload(byte(MSG_CHANNEL_REQUEST) + ch + string(b"exec") + boolean(True) + string(o.command))
            return
        modes = string(b"\x00")
        self.send_payload(
            byte(MSG_CHANNEL_REQUEST)
            + ch
            + string(b"pty-req")
            + boolean(True)
            + string(o.term)
            + uint32(o.width)
            + uint32(o.height)
            + uint32(0)
            + uint32(0)
            + modes
        )
        self.send_payload(byte(MSG_CHANNEL_REQUEST) + ch + string(b"shell") + boolean(True))

    def write(self, data: bytes) -> None:
        """Send keystrokes to the interactive shell (queued until the channel opens)."""
        self._pending += data
        self._flush_input()

    def _flush_input(self) -> None:
        if not self.channel_open or self.channel_closed:
            return
        while self._pending and self._remote_window > 0:
            size = min(len(self._pending), self._remote_window, 32768)
            chunk = bytes(self._pending[:size])
            del self._pending[:size]
            self._remote_window -= size
            self.send_payload(byte(MSG_CHANNEL_DATA) + uint32(self._remote_channel) + string(chunk))
