"""The ssh-userauth service, server side (RFC 4252, RFC 4256), sans-IO.

Checks users against the device's local user table. A user that does not exist gets the
same answers as a wrong password (the device does the same hashing work for both), so a
client cannot probe for user names. Failures count against the device's
``ssh server authentication-retries`` (Comware default 3); key *queries* (an offered key
without a signature) do not count, so clients that walk through several keys still reach
password authentication.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms.hostkey import USER_SIG_ALGORITHMS, verify_signature
from agent.ssh2.constants import (
    MSG_USERAUTH_FAILURE,
    MSG_USERAUTH_INFO_REQUEST,
    MSG_USERAUTH_INFO_RESPONSE,
    MSG_USERAUTH_PK_OK,
    MSG_USERAUTH_REQUEST,
    MSG_USERAUTH_SUCCESS,
)
from agent.wire import Reader, boolean, byte, name_list, string, uint32

METHODS = ("publickey", "password", "keyboard-interactive")
_FAILURE = byte(MSG_USERAUTH_FAILURE) + name_list(METHODS) + boolean(False)  # no partial success


class UserTable(Protocol):
    """What the auth service needs from the device."""

    def authenticate_password(self, username: str, password: bytes) -> int | None: ...

    def authorized_keys(self, username: str) -> list[bytes]: ...

    def user_level(self, username: str) -> int: ...


@dataclass
class AuthResult:
    username: str
    level: int
    method: str


class ServerAuth:
    """Feed USERAUTH_* payloads in; replies go out through ``send``."""

    def __init__(
        self,
        users: UserTable,
        session_id: bytes,
        send: Callable[[bytes], None],
        max_failures: int,
    ) -> None:
        self.users = users
        self.session_id = session_id
        self.send = send
        self.max_failures = max_failures
        self.failures = 0
        self.result: AuthResult | None = None
        self.last_username = ""
        self._kbd_user: str | None = None

    def _failure(self, counted: bool = True) -> None:
        if counted:
            self.failures += 1
            if self.failures >= self.max_failures:
                raise ProtocolError(
                    "Too many authentication failures", DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE
                )
        self.send(_FAILURE)

    def _success(self, username: str, level: int, method: str) -> None:
        self.result = AuthResult(username, level, method)
        self.send(byte(MSG_USERAUTH_SUCCESS))

    def handle(self, msg_type: int, payload: bytes) -> None:
        if self.result is not None:
            return  # RFC 4252 5.1: requests after success are ignored
        reader = Reader(payload, 1)
        if msg_type == MSG_USERAUTH_INFO_RESPONSE:
            self._info_response(reader)
            return
        if msg_type != MSG_USERAUTH_REQUEST:
            raise ProtocolError(f"unexpected message {msg_type} during authentication")
        username = reader.text()
        service = reader.text()
        method = reader.text()
        self.last_username = username
        self._kbd_user = None
        if service != "ssh-connection":
            raise ProtocolError(f"service {service!r} not available", DisconnectReason.SERVICE_NOT_AVAILABLE)
        if method == "none":
            self._failure(counted=False)
        elif method == "password":
            change = reader.boolean()
            password = reader.string()
            if change:
                self._failure()
                return
            level = self.users.authenticate_password(username, password)
            if level is None:
                self._failure()
            else:
                self._success(username, level, "password")
        elif method == "publickey":
            self._publickey(reader, username, service)
        elif method == "keyboard-interactive":
            reader.string()  # language tag
            reader.string()  # submethods
            self._kbd_user = username
            self.send(
                byte(MSG_USERAUTH_INFO_REQUEST)
                + string(b"")
                + string(b"")
                + string(b"")
                + uint32(1)
                + string(b"Password: ")
                + boolean(False)
            )
        else:
            self._failure(counted=False)

    def _info_response(self, reader: Reader) -> None:
        username = self._kbd_user
        self._kbd_user = None
        if username is None:
            raise ProtocolError("keyboard-interactive response without a request")
        count = reader.uint32()
        if count != 1:
            self._failure()
            return
        level = self.users.authenticate_password(username, reader.string())
        if level is None:
            self._failure()
        else:
            self._success(username, level, "keyboard-interactive")

    def _publickey(self, reader: Reader, username: str, service: str) -> None:
        has_signature = reader.boolean()
        algorithm = reader.text()
        blob = reader.string()
        if algorithm not in USER_SIG_ALGORITHMS or blob not in self.users.authorized_keys(username):
            self._failure(counted=has_signature)
            return
        if not has_signature:
            self.send(byte(MSG_USERAUTH_PK_OK) + string(algorithm) + string(blob))
            return
        signature = reader.string()
        signed = (
            string(self.session_id)
            + byte(MSG_USERAUTH_REQUEST)
            + string(username)
            + string(service)
            + string(b"publickey")
            + boolean(True)
            + string(algorithm)
            + string(blob)
        )
        if verify_signature(algorithm, blob, signature, signed):
            self._success(username, self.users.user_level(username), "publickey")
        else:
            self._failure()
