"""SSH1 bulk ciphers: a registry by number and name, with the SSH1-specific constructions.

Each direction has its own :class:`CipherState`; state (the CBC chains) carries over from one
packet to the next as if the connection were one long buffer. All ciphers start with an
all-zero IV and take their keys from the 32-byte session key.

* ``3des`` (3) is *not* 3DES-CBC: it is three DES-CBC stages, each with its own IV chain
  ("inner CBC"): encrypt = E(k1)-CBC, D(k2)-CBC, E(k3)-CBC.
* ``blowfish`` (6) is Blowfish-CBC on byte-swapped 32-bit words (OpenSSH ``cipher-bf1.c``
  treats the block as two little-endian words).
* ``des`` (2) is single DES-CBC; ``cryptography`` expresses it as TripleDES with ``k||k||k``.
* ``none`` (0) exists in the protocol; servers do not offer it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.decrepit.ciphers.algorithms import Blowfish, TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, modes

BLOCK_SIZE = 8
_ZERO_IV = bytes(BLOCK_SIZE)


class CipherState(Protocol):
    """One direction of an SSH1 cipher; ``update`` length must be a multiple of 8."""

    def update(self, data: bytes) -> bytes: ...


def _des_cbc(key8: bytes, encrypt: bool) -> CipherContext:
    cipher = Cipher(TripleDES(key8 * 3), modes.CBC(_ZERO_IV))
    return cipher.encryptor() if encrypt else cipher.decryptor()


class NoCipher:
    def update(self, data: bytes) -> bytes:
        return data


class _Chain:
    """Several CBC contexts applied in sequence (SSH1 3DES) or a single one (DES)."""

    def __init__(self, stages: list[CipherContext]) -> None:
        self._stages = stages

    def update(self, data: bytes) -> bytes:
        for stage in self._stages:
            data = stage.update(data)
        return data


def swap32(data: bytes) -> bytes:
    """Reverse the byte order of every 32-bit word."""
    out = bytearray(len(data))
    out[0::4], out[1::4], out[2::4], out[3::4] = data[3::4], data[2::4], data[1::4], data[0::4]
    return bytes(out)


class _SwappedBlowfish:
    def __init__(self, context: CipherContext) -> None:
        self._context = context

    def update(self, data: bytes) -> bytes:
        return swap32(self._context.update(swap32(data)))


def _three_des_keys(key: bytes) -> tuple[bytes, bytes, bytes]:
    """k1, k2, k3 as in cipher-3des1.c: a 16-byte key (the key-file case) reuses k1 as k3."""
    k1, k2 = key[0:8], key[8:16]
    k3 = key[16:24] if len(key) >= 24 else k1
    return k1, k2, k3


def _three_des(key: bytes, encrypt: bool) -> CipherState:
    k1, k2, k3 = _three_des_keys(key)
    if encrypt:
        return _Chain([_des_cbc(k1, True), _des_cbc(k2, False), _des_cbc(k3, True)])
    return _Chain([_des_cbc(k3, False), _des_cbc(k2, True), _des_cbc(k1, False)])


def _des(key: bytes, encrypt: bool) -> CipherState:
    return _Chain([_des_cbc(key[0:8], encrypt)])


def _blowfish(key: bytes, encrypt: bool) -> CipherState:
    cipher = Cipher(Blowfish(key[:32]), modes.CBC(_ZERO_IV))
    return _SwappedBlowfish(cipher.encryptor() if encrypt else cipher.decryptor())


def _none(key: bytes, encrypt: bool) -> CipherState:
    return NoCipher()


@dataclass(frozen=True)
class CipherSpec:
    number: int
    name: str
    _factory: Callable[[bytes, bool], CipherState]

    def encryptor(self, key: bytes) -> CipherState:
        return self._factory(key, True)

    def decryptor(self, key: bytes) -> CipherState:
        return self._factory(key, False)


CIPHERS: dict[str, CipherSpec] = {
    spec.name: spec
    for spec in (
        CipherSpec(0, "none", _none),
        CipherSpec(2, "des", _des),
        CipherSpec(3, "3des", _three_des),
        CipherSpec(6, "blowfish", _blowfish),
    )
}
CIPHERS_BY_NUMBER: dict[int, CipherSpec] = {spec.number: spec for spec in CIPHERS.values()}
