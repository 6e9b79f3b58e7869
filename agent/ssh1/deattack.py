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

from agent.errors import ProtocolError
from agent.ssh1.crc import ssh1_crc32

BLOCK_SIZE = 8
MAX_BLOCKS = 32 * 1024  # deattack.c SSH_MAXBLOCKS
SMALL_PACKET_BLOCKS = 7  # up to this many blocks the C code compares pairwise
MAX_IDENTICAL = 32  # more repeated blocks than this is treated as a denial-of-service attempt

def _compensation_crc_is_zero(positions: list[int], count: int) -> bool:
    """``check_crc``: CRC over "1,0" where the block occurs and "0,0" elsewhere; zero means suspicious.

    deattack.c folds one 32-bit word at a time into the CRC register, which is the same as one
    CRC-32 (initial 0, no final XOR) over the whole little-endian pattern; built in C-speed
    buffers, a 256 KiB packet costs microseconds instead of a Python loop per block.
    """
    pattern = bytearray(count * BLOCK_SIZE)
    for index in positions:
        pattern[index * BLOCK_SIZE] = 1  # little-endian u_int32_t 1, then u_int32_t 0
    return ssh1_crc32(bytes(pattern)) == 0


def check_ciphertext(buf: bytes) -> None:
    """Raise :class:`ProtocolError` if ``buf`` (one packet's ciphertext) looks like a compensation attack."""
    if len(buf) % BLOCK_SIZE or len(buf) > MAX_BLOCKS * BLOCK_SIZE:
        raise ProtocolError("deattack: bad packet size")
    count = len(buf) // BLOCK_SIZE
    where: dict[bytes, list[int]] = {}
    identical = 0
    for index in range(count):
        block = buf[index * BLOCK_SIZE : (index + 1) * BLOCK_SIZE]
        positions = where.get(block)
        if positions is None:
            where[block] = [index]
            continue
        positions.append(index)
        identical += 1
        if count > SMALL_PACKET_BLOCKS and identical > MAX_IDENTICAL:
            raise ProtocolError("deattack denial of service detected")
    for positions in where.values():
        if len(positions) > 1 and _compensation_crc_is_zero(positions, count):
            raise ProtocolError("crc32 compensation attack detected")
