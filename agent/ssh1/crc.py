"""The CRC-32 variant SSH1 puts at the end of every packet.

OpenSSH's ``crc32.c`` uses the standard reflected table (polynomial 0xEDB88320) but starts from
0 and applies no final XOR, so it differs from :func:`zlib.crc32`. Starting zlib from
0xFFFFFFFF and undoing its final inversion gives exactly the SSH1 value, at C speed.
"""

from __future__ import annotations

import zlib


def ssh1_crc32(data: bytes, crc: int = 0) -> int:
    """CRC-32 with initial value ``crc`` (0 for SSH1) and no final XOR.

    ``ssh1_crc32(b"123456789") == 0x2DFD2D88``. The optional ``crc`` continues a previous
    value, which the compensation attack detector needs.
    """
    return zlib.crc32(data, crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
