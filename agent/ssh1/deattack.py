"""Detector for the CRC-32 compensation attack on SSH1 (CORE-SDI 1998, OpenSSH ``deattack.c``).

SSH1 protects packets with CRC-32 only. CRC-32 is linear, so with CBC an attacker can insert
ciphertext blocks whose CRC contribution cancels out. Such an insertion needs a ciphertext
block that repeats inside the packet; the detector looks for repeats and, for each one,
computes the CRC of the 0/1 pattern of where that block occurs. A zero CRC means the repeat
could be a compensation and the packet is refused. Honest CBC ciphertext practically never
repeats a block, so the check costs one dictionary pass per packet.

The original C code had its own overflow bug (CVE-2001-0144, a 16-bit index); here indices
are Python ints and the table is a dict.
"""

from __future__ import annotations

import struct

from agent.errors import ProtocolError
from agent.ssh1.crc import ssh1_crc32

BLOCK_SIZE = 8
MAX_BLOCKS = 32 * 1024  # deattack.c SSH_MAXBLOCKS
SMALL_PACKET_BLOCKS = 7  # up to this many blocks the C code compares pairwise
MAX_IDENTICAL = 32  # more repeated blocks than this is treated as a denial-of-service attempt

_U32_LE = struct.Struct("<I")  # crc_update() hashes a u_int32_t in host order (little-endian x86)


def _crc_update(crc: int, value: int) -> int:
    return ssh1_crc32(_U32_LE.pack((value ^ crc) & 0xFFFFFFFF))


def _compensation_crc_is_zero(block: bytes, blocks: list[bytes]) -> bool:
    """``check_crc``: CRC over "1,0" where ``block`` occurs and "0,0" elsewhere; zero means suspicious."""
    crc = 0
    for other in blocks:
        crc = _crc_update(crc, 1 if other == block else 0)
        crc = _crc_update(crc, 0)
    return crc == 0


def check_ciphertext(buf: bytes) -> None:
    """Raise :class:`ProtocolError` if ``buf`` (one packet's ciphertext) looks like a compensation attack."""
    if len(buf) % BLOCK_SIZE or len(buf) > MAX_BLOCKS * BLOCK_SIZE:
        raise ProtocolError("deattack: bad packet size")
    blocks = [buf[i : i + BLOCK_SIZE] for i in range(0, len(buf), BLOCK_SIZE)]
    seen: set[bytes] = set()
    identical = 0
    for block in blocks:
        if block in seen:
            identical += 1
            if len(blocks) > SMALL_PACKET_BLOCKS and identical > MAX_IDENTICAL:
                raise ProtocolError("deattack denial of service detected")
            if _compensation_crc_is_zero(block, blocks):
                raise ProtocolError("crc32 compensation attack detected")
        else:
            seen.add(block)
