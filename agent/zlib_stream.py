"""zlib streams as both SSH versions use them: one stream per direction, a partial flush after
every packet, and bounded inflation so a small packet cannot expand into gigabytes.
"""

from __future__ import annotations

import zlib

from agent.errors import DisconnectReason, ProtocolError

MAX_INFLATED = 256 * 1024 + 1024  # no packet of either protocol may expand beyond this


class Compressor:
    __slots__ = ("_stream",)

    def __init__(self, level: int = 6) -> None:
        self._stream = zlib.compressobj(level)

    def compress(self, data: bytes) -> bytes:
        return self._stream.compress(data) + self._stream.flush(zlib.Z_PARTIAL_FLUSH)


class Decompressor:
    __slots__ = ("_stream",)

    def __init__(self) -> None:
        self._stream = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        try:
            out = self._stream.decompress(data, MAX_INFLATED)
        except zlib.error as exc:
            raise ProtocolError(f"compression error: {exc}", DisconnectReason.COMPRESSION_ERROR) from exc
        if self._stream.unconsumed_tail:
            raise ProtocolError("compressed packet inflates too far", DisconnectReason.COMPRESSION_ERROR)
        if self._stream.eof:
            raise ProtocolError("compression stream ended", DisconnectReason.COMPRESSION_ERROR)
        return out
