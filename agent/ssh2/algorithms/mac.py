"""SSH-2 MACs (RFC 4253 6.4, RFC 6668, OpenSSH -etm@openssh.com).

``etm`` MACs cover the sequence number, the clear length and the ciphertext; the others cover
the sequence number and the plaintext packet. Truncated ``-96`` forms send 12 bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from typing import Protocol

_U32 = struct.Struct(">I")


class HmacState(Protocol):
    """What a keyed HMAC object offers (OpenSSL's ``_hashlib.HMAC`` and ``hmac.HMAC`` alike)."""

    @property
    def digest_size(self) -> int: ...

    def copy(self) -> HmacState: ...

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


class Mac:
    """HMAC keyed once per direction; each packet copies the keyed state (no re-keying cost).

    OpenSSL's HMAC object is used directly when the interpreter exposes it (CPython's
    ``_hashlib.hmac_new``): its copy/update/digest are C calls, about a third cheaper per
    packet than the ``hmac.HMAC`` wrapper around the same object.
    """

    __slots__ = ("base", "size", "digest_size")

    def __init__(self, key: bytes, digest: str, size: int) -> None:
        self.base: HmacState
        try:
            import _hashlib

            self.base = _hashlib.hmac_new(key, digestmod=digest)
        except (ImportError, AttributeError, ValueError):
            self.base = hmac.new(key, digestmod=getattr(hashlib, digest))
        self.size = size
        self.digest_size = self.base.digest_size

    def compute(self, seq: int, data: bytes) -> bytes:
        h = self.base.copy()
        h.update(_U32.pack(seq))
        h.update(data)
        return h.digest()[: self.size]

    def verify(self, seq: int, data: bytes, tag: bytes) -> bool:
        return hmac.compare_digest(self.compute(seq, data), tag)


@dataclass(frozen=True)
class MacSpec:
    name: str
    digest: str
    key_size: int
    size: int
    etm: bool

    def new(self, key: bytes) -> Mac:
        return Mac(key[: self.key_size], self.digest, self.size)


def _specs() -> dict[str, MacSpec]:
    base = [
        ("hmac-sha2-256", "sha256", 32, 32),
        ("hmac-sha2-512", "sha512", 64, 64),
        ("hmac-sha1", "sha1", 20, 20),
        ("hmac-sha1-96", "sha1", 20, 12),
        ("hmac-md5", "md5", 16, 16),
        ("hmac-md5-96", "md5", 16, 12),
    ]
    table: dict[str, MacSpec] = {}
    for name, digest, key_size, size in base:
        table[name] = MacSpec(name, digest, key_size, size, False)
        etm = f"{name}-etm@openssh.com"
        table[etm] = MacSpec(etm, digest, key_size, size, True)
    return table


MACS: dict[str, MacSpec] = _specs()
