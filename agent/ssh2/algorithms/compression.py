"""SSH-2 compression (RFC 4253 6.2 ``zlib``; OpenSSH's delayed ``zlib@openssh.com``).

One zlib stream per direction with Z_PARTIAL_FLUSH per packet, restarted at every NEWKEYS.
Inflation is bounded so a small packet cannot expand into gigabytes (a "zip bomb").
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.zlib_stream import Compressor, Decompressor

__all__ = ["COMPRESSIONS", "CompressionSpec", "Compressor", "Decompressor"]


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
