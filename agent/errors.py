"""Errors shared by every protocol core.

A protocol core never lets a foreign exception escape: anything that goes wrong while
parsing peer input becomes a :class:`ProtocolError`, which the connection driver turns
into a DISCONNECT with ``reason`` and a closed socket.
"""

from __future__ import annotations

from enum import IntEnum


class DisconnectReason(IntEnum):
    """SSH-2 disconnect reason codes (RFC 4253 section 11.1)."""

    HOST_NOT_ALLOWED_TO_CONNECT = 1
    PROTOCOL_ERROR = 2
    KEY_EXCHANGE_FAILED = 3
    RESERVED = 4
    MAC_ERROR = 5
    COMPRESSION_ERROR = 6
    SERVICE_NOT_AVAILABLE = 7
    PROTOCOL_VERSION_NOT_SUPPORTED = 8
    HOST_KEY_NOT_VERIFIABLE = 9
    CONNECTION_LOST = 10
    BY_APPLICATION = 11
    TOO_MANY_CONNECTIONS = 12
    AUTH_CANCELLED_BY_USER = 13
    NO_MORE_AUTH_METHODS_AVAILABLE = 14
    ILLEGAL_USER_NAME = 15


class ProtocolError(Exception):
    """The peer broke the protocol; the connection must be closed with ``reason``."""

    def __init__(self, description: str, reason: DisconnectReason = DisconnectReason.PROTOCOL_ERROR) -> None:
        super().__init__(description)
        self.description = description
        self.reason = reason


class ConfigError(Exception):
    """A profile, inventory or configuration file is wrong; the message names file, line and field."""
