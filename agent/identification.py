"""Identification string exchange (RFC 4253 section 4.2; SSH 1.5 draft), sans-IO.

The server speaks first. In 1.99 mode it must wait for the client's line before sending
anything else, because that line decides between the SSH-2 and SSH-1 engines. Bytes that
arrive behind the client's line (OpenSSH sends its KEXINIT in the same write) are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.errors import DisconnectReason, ProtocolError

MAX_LINE = 255
MAX_PRELUDE_LINES = 32  # RFC 4253 allows other lines before the version line (from servers only)


@dataclass(frozen=True)
class ClientVersion:
    line: str  # without CR LF: this is V_C for the exchange hash
    protocol: str  # "2.0", "1.99", "1.5" ...
    software: str


def server_line(protocol: str, software: str) -> bytes:
    return f"SSH-{protocol}-{software}\r\n".encode("ascii")


class IdentificationReader:
    """Accumulate bytes until the peer's ``SSH-`` line; then ``version`` and ``leftover`` are set."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._lines = 0
        self.version: ClientVersion | None = None
        self.leftover = b""

    def feed(self, data: bytes) -> ClientVersion | None:
        if self.version is not None:
            self.leftover += data
            return self.version
        # Usually the whole line (and often the KEXINIT) arrives in the first read: scan the
        # bytes as they are, and keep only an unfinished line for the next read.
        buffer = bytes(self._buffer) + data if self._buffer else data
        start = 0
        while True:
            newline = buffer.find(b"\n", start)
            if newline < 0:
                if len(buffer) - start > MAX_LINE:
                    raise ProtocolError("identification line too long", DisconnectReason.PROTOCOL_ERROR)
                self._buffer = bytearray(buffer[start:])
                return None
            if newline - start + 1 > MAX_LINE:
                raise ProtocolError("identification line too long", DisconnectReason.PROTOCOL_ERROR)
            line = buffer[start:newline]
            if line.endswith(b"\r"):
                line = line[:-1]
            start = newline + 1
            if line.startswith(b"SSH-"):
                self.version = parse_version_line(line)
                self.leftover = buffer[start:]
                self._buffer = bytearray()
                return self.version
            self._lines += 1
            if self._lines > MAX_PRELUDE_LINES:
                raise ProtocolError("Protocol mismatch.", DisconnectReason.PROTOCOL_ERROR)


def parse_version_line(line: bytes) -> ClientVersion:
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ProtocolError("Protocol mismatch.") from exc
    parts = text.split("-", 2)
    if len(parts) < 3 or not parts[1] or min(text) < " ":  # no control characters
        raise ProtocolError("Protocol mismatch.")
    protocol = parts[1]
    software = parts[2].split(" ", 1)[0]
    major, _, minor = protocol.partition(".")
    if not major.isdigit() or not minor.isdigit():
        raise ProtocolError("Protocol mismatch.")
    return ClientVersion(line=text, protocol=protocol, software=software)


def choose_engine(client: ClientVersion, announced: str) -> str:
    """Decide which engine serves the client: ``"2"`` or ``"1"``; raise with the device's text otherwise.

    ``announced`` is what this device sent: "2.0", "1.99" or "1.5".
    """
    major, _, minor = client.protocol.partition(".")
    ssh2_ok = announced in ("2.0", "1.99")
    ssh1_ok = announced in ("1.99", "1.5")
    if major == "2" or (major == "1" and minor == "99"):
        if ssh2_ok:
            return "2"
        raise ProtocolError("Protocol major versions differ.", DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED)
    if major == "1":
        if not ssh1_ok:
            raise ProtocolError("Protocol major versions differ.", DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED)
        if int(minor) < 5:
            raise ProtocolError(
                "Your ssh version is too old and is no longer supported.",
                DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED,
            )
        return "1"
    raise ProtocolError("Protocol major versions differ.", DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED)
