"""SSH1 message, cipher and authentication numbers (OpenSSH ``ssh1.h``, V_7_5_P1)."""

from __future__ import annotations

from enum import IntEnum


class Msg(IntEnum):
    """Packet types. ``C``/``S`` tell who sends them; ``MSG`` travels both ways."""

    MSG_NONE = 0
    MSG_DISCONNECT = 1
    SMSG_PUBLIC_KEY = 2
    CMSG_SESSION_KEY = 3
    CMSG_USER = 4
    CMSG_AUTH_RHOSTS = 5
    CMSG_AUTH_RSA = 6
    SMSG_AUTH_RSA_CHALLENGE = 7
    CMSG_AUTH_RSA_RESPONSE = 8
    CMSG_AUTH_PASSWORD = 9
    CMSG_REQUEST_PTY = 10
    CMSG_WINDOW_SIZE = 11
    CMSG_EXEC_SHELL = 12
    CMSG_EXEC_CMD = 13
    SMSG_SUCCESS = 14
    SMSG_FAILURE = 15
    CMSG_STDIN_DATA = 16
    SMSG_STDOUT_DATA = 17
    SMSG_STDERR_DATA = 18
    CMSG_EOF = 19
    SMSG_EXITSTATUS = 20
    MSG_CHANNEL_OPEN_CONFIRMATION = 21
    MSG_CHANNEL_OPEN_FAILURE = 22
    MSG_CHANNEL_DATA = 23
    MSG_CHANNEL_CLOSE = 24
    MSG_CHANNEL_CLOSE_CONFIRMATION = 25
    SMSG_X11_OPEN = 27
    CMSG_PORT_FORWARD_REQUEST = 28
    MSG_PORT_OPEN = 29
    CMSG_AGENT_REQUEST_FORWARDING = 30
    SMSG_AGENT_OPEN = 31
    MSG_IGNORE = 32
    CMSG_EXIT_CONFIRMATION = 33
    CMSG_X11_REQUEST_FORWARDING = 34
    CMSG_AUTH_RHOSTS_RSA = 35
    MSG_DEBUG = 36
    CMSG_REQUEST_COMPRESSION = 37
    CMSG_MAX_PACKET_SIZE = 38
    CMSG_AUTH_TIS = 39
    SMSG_AUTH_TIS_CHALLENGE = 40
    CMSG_AUTH_TIS_RESPONSE = 41


class AuthMethod(IntEnum):
    """Bit numbers of the supported-authentications mask (mask bit = ``1 << value``)."""

    RHOSTS = 1
    RSA = 2
    PASSWORD = 3
    RHOSTS_RSA = 4
    TIS = 5
    KERBEROS = 6
    KERBEROS_TGT = 7


AUTH_METHODS_BY_PROFILE_NAME = {
    "rhosts": AuthMethod.RHOSTS,
    "rsa": AuthMethod.RSA,
    "password": AuthMethod.PASSWORD,
    "rhosts-rsa": AuthMethod.RHOSTS_RSA,
}

PROTOFLAG_SCREEN_NUMBER = 1
PROTOFLAG_HOST_IN_FWD_OPEN = 2

KEY_BITS_RESERVED = 128  # host and server moduli must differ by at least this many bits
COOKIE_SIZE = 8
SESSION_KEY_SIZE = 32

IPTOS_LOWDELAY = 0x10
IPTOS_THROUGHPUT = 0x08


def mask(bits: list[int] | tuple[int, ...]) -> int:
    """Build a 32-bit mask from bit numbers."""
    value = 0
    for bit in bits:
        value |= 1 << bit
    return value
