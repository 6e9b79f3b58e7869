"""SSH1 packet compression: one zlib stream per direction, partial flush after every packet.

Only ``type + data`` are compressed (the draft's "Packet Compression"); the stream keeps its
dictionary across packets, and the zlib header is present (``deflateInit``, not raw deflate).
"""

from __future__ import annotations

import zlib

from agent.errors import DisconnectReason, ProtocolError

MAX_DECOMPRESSED = 256 * 1024  # a compressed packet may not expand beyond the SSH1 packet limit


class Compressor:
    def __init__(self, level: int) -> None:
        self._stream = zlib.compressobj(level)

    def compress(self, data: bytes) -> bytes:
        return self._stream.compress(data) + self._stream.flush(zlib.Z_PARTIAL_FLUSH)


class Decompressor:
    def __init__(self) -> None:
        self._stream = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        try:
            out = self._stream.decompress(data, MAX_DECOMPRESSED)
        except zlib.error as exc:
            raise ProtocolError(f"decompression failed: {exc}", DisconnectReason.COMPRESSION_ERROR) from exc
        if self._stream.unconsumed_tail:
            raise ProtocolError("decompressed packet too large", DisconnectReason.COMPRESSION_ERROR)
        if self._stream.eof:
            raise ProtocolError("compression stream ended", DisconnectReason.COMPRESSION_ERROR)
        return out
