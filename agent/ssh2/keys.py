"""Session key derivation (RFC 4253 7.2)."""

from __future__ import annotations

import hashlib


def derive_keys(
    hash_name: str, k: bytes, h: bytes, session_id: bytes, wanted: tuple[tuple[bytes, int], ...]
) -> list[bytes]:
    """HASH(K || H || letter || session_id), extended with HASH(K || H || K1 || ...), for each (letter, size): K || H is hashed once and copied."""
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
