"""SSH1 binary packet framing (draft "Binary Packet Protocol"; OpenSSH ``ssh_packet_send1``/``read_poll1``).

::

    uint32  length     len(type + data) + 4 (CRC); sent in clear, excludes padding
    byte[p] padding    p = 8 - length % 8, so 1..8; random when encrypting, zero otherwise
    byte    type
    byte[]  data
    uint32  crc        SSH1 CRC-32 over padding, type and data, before encryption

Everything after the length (``length + p`` bytes, always a multiple of 8) is encrypted.
The writer and reader are independent so that each direction can switch cipher and
compression at its own protocol point (the server's first encrypted packet, the SUCCESS
that answers a compression request).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh1 import deattack
from agent.ssh1.ciphers import CipherState, NoCipher
from agent.ssh1.crc import ssh1_crc32
from agent.wire import uint32
from agent.zlib_stream import Compressor, Decompressor

MIN_LENGTH = 5  # type + CRC
MAX_LENGTH = 256 * 1024  # draft: 262144


def padded_length(length: int) -> int:
    """Size of the encrypted part for a packet whose length field is ``length``."""
    return (length + 8) & ~7


class PacketWriter:
    """Turns (type, payload) into wire bytes for one direction."""

    def __init__(self, random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        self._cipher: CipherState = NoCipher()
        self._encrypting = False
        self._compressor: Compressor | None = None
        self._random = random_bytes
        self.packets = 0
        self.bytes = 0

    def set_cipher(self, cipher: CipherState) -> None:
        self._cipher = cipher
        self._encrypting = not isinstance(cipher, NoCipher)

    def start_compression(self, level: int) -> None:
        self._compressor = Compressor(level)

    @property
    def compressing(self) -> bool:
        return self._compressor is not None

    def encode(self, msg_type: int, payload: bytes = b"") -> bytes:
        body = bytes((msg_type,)) + payload
        if self._compressor is not None:
            body = self._compressor.compress(body)
        length = len(body) + 4
        if length > MAX_LENGTH:
            raise ValueError(f"SSH1 packet too long ({length} bytes); split the data")
        pad = padded_length(length) - length
        padding = self._random(pad) if self._encrypting else bytes(pad)
        plain = padding + body
        plain += uint32(ssh1_crc32(plain))
        wire = uint32(length) + self._cipher.update(plain)
        self.packets += 1
        self.bytes += len(wire)
        return wire


class PacketReader:
    """Accumulates wire bytes and yields decoded (type, payload) pairs; raises ProtocolError on bad input."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._cipher: CipherState = NoCipher()
        self._encrypted = False
        self._decompressor: Decompressor | None = None
        self.packets = 0
        self.bytes = 0

    def set_cipher(self, cipher: CipherState) -> None:
        self._cipher = cipher
        self._encrypted = not isinstance(cipher, NoCipher)

    def start_compression(self) -> None:
        self._decompressor = Decompressor()

    @property
    def decompressing(self) -> bool:
        return self._decompressor is not None

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def next_packet(self) -> tuple[int, bytes] | None:
        """Decode one complete packet from the buffer, or return None if more bytes are needed."""
        if len(self._buffer) < 4:
            return None
        length = int.from_bytes(self._buffer[:4], "big")
        if length < MIN_LENGTH or length > MAX_LENGTH:
            raise ProtocolError(f"Bad packet length {length}.", DisconnectReason.PROTOCOL_ERROR)
        total = padded_length(length)
        if len(self._buffer) < 4 + total:
            return None
        ciphertext = bytes(self._buffer[4 : 4 + total])
        del self._buffer[: 4 + total]
        if self._encrypted:
            deattack.check_ciphertext(ciphertext)
        plain = self._cipher.update(ciphertext)
        received_crc = int.from_bytes(plain[-4:], "big")
        if ssh1_crc32(plain[:-4]) != received_crc:
            raise ProtocolError("Corrupted check bytes on input.", DisconnectReason.MAC_ERROR)
        body = plain[total - length : -4]
        if self._decompressor is not None:
            body = self._decompressor.decompress(body)
        if not body:
            raise ProtocolError("empty packet after decompression")
        msg_type = body[0]
        if msg_type == 0 or msg_type == 255:
            raise ProtocolError(f"invalid packet type {msg_type}")
        self.packets += 1
        self.bytes += 4 + total
        return msg_type, body[1:]
