"""SSH-2 compression (RFC 4253 6.2 ``zlib``; OpenSSH's delayed ``zlib@openssh.com``).

One zlib stream per direction with Z_PARTIAL_FLUSH per packet, restarted at every NEWKEYS.
Inflation is bounded so a small packet cannot expand into gigabytes (a "zip bomb").
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from agent.errors import DisconnectReason, ProtocolError

MAX_INFLATED = 256 * 1024 + 1024


class Compressor:
    __slots__ = ("_obj",)

    def __init__(self, level: int = 6) -> None:
        self._obj = zlib.compressobj(level)

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data) + self._obj.flush(zlib.Z_PARTIAL_FLUSH)


class Decompressor:
    __slots__ = ("_obj",)

    def __init__(self) -> None:
        self._obj = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        try:
            out = self._obj.decompress(data, MAX_INFLATED)
        except zlib.error as exc:
            raise ProtocolError(f"compression error: {exc}", DisconnectReason.COMPRESSION_ERROR) from exc
        if self._obj.unconsumed_tail:
            raise ProtocolError("compressed packet inflates too far", DisconnectReason.COMPRESSION_ERROR)
        return out


@dataclass(frozen=True)
class CompressionSpec:
    name: str
    enabled: bool
    delayed: bool  # start only after user authentication succeeded


COMPRESSIONS: dict[str, CompressionSpec] = {
    "none": CompressionSpec("none", False, False),
    "zlib@openssh.com": CompressionSpec("zlib@openssh.com", True, True),
    "zlib": CompressionSpec("zlib", True, False),
}
