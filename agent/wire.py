"""SSH data type encodings (RFC 4251 section 5) shared by the SSH-2 and SSH-1.5 cores.

Writers are plain functions returning ``bytes`` so callers can join them; the reader is a
cursor over one packet payload that raises :class:`ProtocolError` on any short or malformed
field, so a hostile packet can never raise ``IndexError`` or ``struct.error``.
"""

from __future__ import annotations

import struct

from agent.errors import ProtocolError

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_U32_FROM = _U32.unpack_from

MAX_STRING = 1 << 20  # no single field in any message we accept is larger than 1 MiB


def byte(value: int) -> bytes:
    return bytes((value,))


def boolean(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def uint32(value: int) -> bytes:
    return _U32.pack(value & 0xFFFFFFFF)


def string(value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _U32.pack(len(value)) + value


def mpint(value: int) -> bytes:
    """Two's-complement, minimal, big-endian, with a leading zero byte when the top bit is set."""
    if value == 0:
        return b"\x00\x00\x00\x00"
    length = (value.bit_length() + 8) // 8 if value > 0 else ((-value).bit_length() + 8) // 8
    data = value.to_bytes(length, "big", signed=True)
    return _U32.pack(len(data)) + data


def mpint_from_unsigned(data: bytes) -> bytes:
    """Encode an unsigned big-endian byte string (e.g. an ECDH shared secret) as an mpint."""
    data = data.lstrip(b"\x00")
    if data and data[0] & 0x80:
        data = b"\x00" + data
    return _U32.pack(len(data)) + data


def name_list(names: list[str] | tuple[str, ...]) -> bytes:
    return string(",".join(names).encode("ascii"))


def mpint1(value: int) -> bytes:
    """SSH-1.5 multiple-precision integer: uint16 bit count, then the magnitude big-endian."""
    bits = value.bit_length()
    return _U16.pack(bits) + value.to_bytes((bits + 7) // 8, "big")


class Reader:
    """A bounds-checked cursor over one message payload."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def _take(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise ProtocolError("message is shorter than its fields")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ProtocolError("message is shorter than its fields")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def boolean(self) -> bool:
        return self.byte() != 0

    def uint32(self) -> int:
        pos = self.pos
        if pos + 4 > len(self.data):
            raise ProtocolError("message is shorter than its fields")
        self.pos = pos + 4
        value: int = _U32_FROM(self.data, pos)[0]
        return value

    def uint16(self) -> int:
        value: int = _U16.unpack(self._take(2))[0]
        return value

    def raw(self, n: int) -> bytes:
        return self._take(n)

    def string(self) -> bytes:
        data, pos = self.data, self.pos
        if pos + 4 > len(data):
            raise ProtocolError("message is shorter than its fields")
        n = _U32_FROM(data, pos)[0]
        if n > MAX_STRING:
            self.pos = pos + 4
            raise ProtocolError("string field too long")
        end = pos + 4 + n
        if end > len(data):
            self.pos = pos + 4
            raise ProtocolError("message is shorter than its fields")
        self.pos = end
        return data[pos + 4 : end]

    def text(self) -> str:
        try:
            return self.string().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("string field is not UTF-8") from exc

    def mpint(self) -> int:
        data = self.string()
        return int.from_bytes(data, "big", signed=True) if data else 0

    def name_list(self) -> list[str]:
        raw = self.string()
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError as exc:
            raise ProtocolError("name-list is not ASCII") from exc
        return [name for name in text.split(",") if name] if text else []

    def mpint1(self) -> int:
        bits = self.uint16()
        return int.from_bytes(self._take((bits + 7) // 8), "big")

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos
