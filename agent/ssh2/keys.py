"""Session key derivation (RFC 4253 7.2)."""

from __future__ import annotations

import hashlib


def derive_key(hash_name: str, k: bytes, h: bytes, letter: bytes, session_id: bytes, size: int) -> bytes:
    """HASH(K || H || letter || session_id), extended with HASH(K || H || K1 || ... ) to ``size`` bytes."""
    if size == 0:
        return b""
    return derive_keys(hash_name, k, h, session_id, ((letter, size),))[0]


def derive_keys(
    hash_name: str, k: bytes, h: bytes, session_id: bytes, wanted: tuple[tuple[bytes, int], ...]
) -> list[bytes]:
    """:func:`derive_key` for several (letter, size) pairs: K || H is hashed once and copied."""
    base = hashlib.new(hash_name, k + h)
    out_keys = []
    for letter, size in wanted:
        if size == 0:
            out_keys.append(b"")
            continue
        first = base.copy()
        first.update(letter + session_id)
        out = first.digest()
        while len(out) < size:
            more = base.copy()
            more.update(out)
            out += more.digest()
        out_keys.append(out[:size])
    return out_keys
