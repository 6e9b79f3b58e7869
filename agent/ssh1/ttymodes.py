"""SSH1 terminal modes, as carried raw at the end of SSH_CMSG_REQUEST_PTY (OpenSSH ``ttymodes.c``).

Unlike SSH-2 there is no length prefix: the modes run to the end of the packet. Opcodes 1..127
take one byte, 128..159 a uint32, 192/193 are the input/output speeds (uint32; SSH-2 numbers
them 128/129). Opcode 0 ends the list; any other opcode has an unknown argument size, so
parsing stops there, as sshd does.
"""

from __future__ import annotations

from agent.wire import Reader

TTY_OP_END = 0
TTY_OP_ISPEED = 192
TTY_OP_OSPEED = 193


def parse_tty_modes(data: bytes) -> dict[int, int]:
    """Map opcode -> value; ISPEED/OSPEED keep their SSH1 numbers (192/193)."""
    reader = Reader(data)
    modes: dict[int, int] = {}
    while reader.remaining:
        opcode = reader.byte()
        if opcode == TTY_OP_END:
            break
        if 1 <= opcode < 128:
            modes[opcode] = reader.byte()
        elif 128 <= opcode < 160 or opcode in (TTY_OP_ISPEED, TTY_OP_OSPEED):
            modes[opcode] = reader.uint32()
        else:
            break
    return modes


def encode_tty_modes(modes: dict[int, int]) -> bytes:
    """The client-side encoding, terminated by TTY_OP_END."""
    out = bytearray()
    for opcode, value in modes.items():
        out.append(opcode)
        if 1 <= opcode < 128:
            out.append(value & 0xFF)
        else:
            out += (value & 0xFFFFFFFF).to_bytes(4, "big")
    out.append(TTY_OP_END)
    return bytes(out)
