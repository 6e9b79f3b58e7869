"""SSH-2 ciphers (RFC 4253 6.3, RFC 4344, RFC 5647 / OpenSSH GCM, OpenSSH chacha20-poly1305).

Each registry entry knows its key, IV and block sizes and how it seals packets. Three
shapes exist on the wire and the packet layer handles each once:

* ``stream``/``cbc``: the whole packet is encrypted (the length too) and a separate MAC follows;
* ``gcm``: the 4-byte length is the clear AAD, the rest is AES-GCM with a 16-byte tag;
* ``chacha``: the length is encrypted with its own key, the rest with ChaCha20, then Poly1305.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import (
    BlockCipherAlgorithm,
    Cipher,
    CipherContext,
    algorithms,
    modes,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.poly1305 import Poly1305

from agent.errors import DisconnectReason, ProtocolError

Mode = Literal["stream", "gcm", "chacha"]
_LE64 = struct.Struct("<Q")
_BE64 = struct.Struct(">Q")


class StreamCipher:
    """AES-CTR, AES-CBC and 3DES-CBC: one stateful context per direction, IV chained across packets."""

    __slots__ = ("_ctx", "update")

    def __init__(self, algorithm: BlockCipherAlgorithm, mode: modes.CTR | modes.CBC, encrypt: bool) -> None:
        cipher = Cipher(algorithm, mode)
        self._ctx = cipher.encryptor() if encrypt else cipher.decryptor()
        self.update: Callable[[bytes | bytearray], bytes] = self._ctx.update


class GcmCipher:
    """AES-GCM as OpenSSH uses it: 12-byte nonce = 4 fixed bytes + 64-bit invocation counter."""

    __slots__ = ("_aead", "_fixed", "_counter")

    def __init__(self, key: bytes, iv: bytes) -> None:
        self._aead = AESGCM(key)
        self._fixed = iv[:4]
        self._counter = int.from_bytes(iv[4:12], "big")

    def _nonce(self) -> bytes:
        nonce = self._fixed + _BE64.pack(self._counter)
        self._counter = (self._counter + 1) & 0xFFFFFFFFFFFFFFFF
        return nonce

    def seal(self, length_bytes: bytes, plaintext: bytes) -> bytes:
        return self._aead.encrypt(self._nonce(), plaintext, length_bytes)

    def open(self, length_bytes: bytes, ciphertext_and_tag: bytes) -> bytes:
        try:
            return self._aead.decrypt(self._nonce(), ciphertext_and_tag, length_bytes)
        except InvalidTag as exc:
            raise ProtocolError("Corrupted MAC on input.", DisconnectReason.MAC_ERROR) from exc


class ChachaCipher:
    """chacha20-poly1305@openssh.com: K_2 = key[:32] (payload, Poly1305 key), K_1 = key[32:] (length)."""

    __slots__ = ("_header",)

    def __init__(self, key: bytes) -> None:
        self._header = key[32:64], key[0:32]  # (length key K_1, main key K_2)

    def _stream(self, key: bytes, counter: int, seq: int) -> CipherContext:
        return Cipher(algorithms.ChaCha20(key, _LE64.pack(counter) + _BE64.pack(seq)), None).encryptor()

    def crypt_length(self, seq: int, length_bytes: bytes) -> bytes:
        return self._stream(self._header[0], 0, seq).update(length_bytes)

    def seal(self, seq: int, length_bytes: bytes, plaintext: bytes) -> bytes:
        enc_len = self.crypt_length(seq, length_bytes)
        stream = self._stream(self._header[1], 0, seq)
        poly_key = stream.update(bytes(64))[:32]
        body = stream.update(plaintext)
        tag = Poly1305.generate_tag(poly_key, enc_len + body)
        return enc_len + body + tag

    def open(self, seq: int, enc_len: bytes, body: bytes, tag: bytes) -> bytes:
        stream = self._stream(self._header[1], 0, seq)
        poly_key = stream.update(bytes(64))[:32]
        expected = Poly1305.generate_tag(poly_key, enc_len + body)
        if not hmac.compare_digest(expected, tag):
            raise ProtocolError("Corrupted MAC on input.", DisconnectReason.MAC_ERROR)
        return stream.update(body)


@dataclass(frozen=True)
class CipherSpec:
    name: str
    key_size: int
    iv_size: int
    block_size: int
    mode: Mode
    tag_size: int = 0

    def new(self, key: bytes, iv: bytes, encrypt: bool) -> StreamCipher | GcmCipher | ChachaCipher:
        key = key[: self.key_size]
        iv = iv[: self.iv_size]
        if self.mode == "gcm":
            return GcmCipher(key, iv)
        if self.mode == "chacha":
            return ChachaCipher(key)
        if self.name.startswith("3des"):
            return StreamCipher(TripleDES(key), modes.CBC(iv), encrypt)
        mode = modes.CTR(iv) if self.name.endswith("-ctr") else modes.CBC(iv)
        return StreamCipher(algorithms.AES(key), mode, encrypt)

    @property
    def has_integrity(self) -> bool:
        """AEAD ciphers carry their own tag; the negotiated MAC is then ignored."""
        return self.mode != "stream"


CIPHERS: dict[str, CipherSpec] = {
    spec.name: spec
    for spec in (
        CipherSpec("chacha20-poly1305@openssh.com", 64, 0, 8, "chacha", 16),
        CipherSpec("aes128-gcm@openssh.com", 16, 12, 16, "gcm", 16),
        CipherSpec("aes256-gcm@openssh.com", 32, 12, 16, "gcm", 16),
        CipherSpec("aes128-ctr", 16, 16, 16, "stream"),
        CipherSpec("aes192-ctr", 24, 16, 16, "stream"),
        CipherSpec("aes256-ctr", 32, 16, 16, "stream"),
        CipherSpec("aes128-cbc", 16, 16, 16, "stream"),
        CipherSpec("aes192-cbc", 24, 16, 16, "stream"),
        CipherSpec("aes256-cbc", 32, 16, 16, "stream"),
        CipherSpec("3des-cbc", 24, 8, 8, "stream"),
    )
}
