"""The SSH-2 binary packet protocol (RFC 4253 6), one object per direction.

This is the per-packet hot path: every field is bounded before it is trusted (an oversize
length, short padding or a bad tag is a :class:`ProtocolError` with the RFC reason code), and
cipher, MAC and compression state objects are created once per key exchange, not per packet.
Each direction's shape (clear, stream cipher + MAC, encrypt-then-MAC, GCM, ChaCha20-Poly1305)
is resolved once per key exchange into a small integer, so a packet costs one branch to find
its path. Random padding comes from a per-writer pool of ``os.urandom`` bytes (one system
call per few dozen packets instead of one per packet); no byte of it is ever used twice.
"""

from __future__ import annotations

import hmac
import os
import struct
from collections.abc import Callable
from typing import cast

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms.cipher import ChachaCipher, CipherSpec, GcmCipher, StreamCipher
from agent.ssh2.algorithms.compression import Compressor, Decompressor
from agent.ssh2.algorithms.mac import Mac, MacSpec

MAX_PACKET = 256 * 1024  # largest packet_length accepted (RFC 4253 requires at least 35000)
MIN_PADDING = 4
_U32 = struct.Struct(">I")
_LEN_PAD = struct.Struct(">IB")  # packet_length, padding_length
_SEQ_LEN_PAD = struct.Struct(">IIB")  # sequence number (MAC input only), packet_length, padding_length
_RANDOM_CHUNK = 512  # padding bytes fetched per os.urandom call
_compare = hmac.compare_digest

# Packet shapes, resolved once per key exchange.
_CLEAR, _STREAM, _ETM, _GCM, _CHACHA = 0, 1, 2, 3, 4


class DirectionKeys:
    """Cipher, MAC and compression state for one direction after a NEWKEYS."""

    __slots__ = ("spec", "cipher", "mac", "etm", "block", "tag_size", "shape", "aligned", "crypt", "mac_base", "mac_size", "mac_full")

    def __init__(
        self,
        spec: CipherSpec | None,
        cipher: StreamCipher | GcmCipher | ChachaCipher | None,
        mac_spec: MacSpec | None,
        mac: Mac | None,
    ) -> None:
        self.spec = spec
        self.cipher = cipher
        self.mac = mac
        self.etm = bool(mac_spec and mac_spec.etm)
        self.block = max(8, spec.block_size) if spec else 8
        if spec and spec.has_integrity:
            self.tag_size = spec.tag_size
        else:
            self.tag_size = mac.size if mac else 0
        if spec is None:
            self.shape = _CLEAR
        elif spec.mode == "chacha":
            self.shape = _CHACHA
        elif spec.mode == "gcm":
            self.shape = _GCM
        elif self.etm:
            self.shape = _ETM
        else:
            self.shape = _STREAM
        # etm and AEAD modes align the packet without its 4-byte length (which stays clear)
        self.aligned = self.etm or (spec is not None and spec.has_integrity)
        self.crypt: Callable[[bytes | bytearray], bytes] | None = (
            cipher.update if isinstance(cipher, StreamCipher) else None
        )
        self.mac_base = mac.base if mac is not None else None
        self.mac_size = mac.size if mac is not None else 0
        self.mac_full = mac is not None and mac.size == mac.digest_size


_NO_KEYS = DirectionKeys(None, None, None, None)


def direction_keys(
    spec: CipherSpec, key: bytes, iv: bytes, mac_spec: MacSpec | None, mac_key: bytes, *, encrypt: bool
) -> DirectionKeys:
    """Cipher and MAC state for one direction, ready for :meth:`PacketWriter.use_keys` or
    :meth:`PacketReader.use_keys` (made as soon as the keys are derived, used from NEWKEYS on)."""
    cipher = spec.new(key, iv, encrypt=encrypt)
    mac = mac_spec.new(mac_key) if mac_spec and not spec.has_integrity else None
    return DirectionKeys(spec, cipher, mac_spec if mac else None, mac)


class PacketWriter:
    """Frames outgoing payloads: compression, padding, encryption, MAC, sequence number."""

    def __init__(self) -> None:
        self.seq = 0
        self.keys = _NO_KEYS
        self.compressor: Compressor | None = None
        self.bytes_since_kex = 0
        self._random = b""
        self._random_pos = 0

    def set_keys(self, spec: CipherSpec, key: bytes, iv: bytes, mac_spec: MacSpec | None, mac_key: bytes) -> None:
        self.use_keys(direction_keys(spec, key, iv, mac_spec, mac_key, encrypt=True))

    def use_keys(self, keys: DirectionKeys) -> None:
        self.keys = keys
        self.bytes_since_kex = 0

    def pack(self, payload: bytes) -> bytes:
        if self.compressor is not None:
            payload = self.compressor.compress(payload)
        keys = self.keys
        block = keys.block
        size = len(payload)
        pad = block - ((size + 1 if keys.aligned else size + 5) % block)
        if pad < MIN_PADDING:
            pad += block
        pos = self._random_pos
        end = pos + pad
        if end > len(self._random):
            self._random = os.urandom(_RANDOM_CHUNK)
            pos, end = 0, pad
        self._random_pos = end
        padding = self._random[pos:end]
        seq = self.seq
        self.seq = (seq + 1) & 0xFFFFFFFF
        shape = keys.shape
        if shape == _STREAM:
            base = keys.mac_base
            if base is None:
                out = keys.crypt(_LEN_PAD.pack(size + 1 + pad, pad) + payload + padding)  # type: ignore[misc]
            else:
                # The MAC covers seq || packet: build both in one buffer and encrypt all but seq.
                data = _SEQ_LEN_PAD.pack(seq, size + 1 + pad, pad) + payload + padding
                h = base.copy()
                h.update(data)
                tag = h.digest() if keys.mac_full else h.digest()[: keys.mac_size]
                out = keys.crypt(data[4:]) + tag  # type: ignore[misc]
        elif shape == _CLEAR:
            out = _LEN_PAD.pack(size + 1 + pad, pad) + payload + padding
        else:
            header = _U32.pack(size + 1 + pad)
            body = bytes((pad,)) + payload + padding
            if shape == _CHACHA:
                out = cast(ChachaCipher, keys.cipher).seal(seq, header, body)
            elif shape == _GCM:
                out = header + cast(GcmCipher, keys.cipher).seal(header, body)
            else:  # _ETM
                enc = keys.crypt(body)  # type: ignore[misc]
                out = header + enc + keys.mac.compute(seq, header + enc)  # type: ignore[union-attr]
        self.bytes_since_kex += len(out)
        return out


class PacketReader:
    """Reassembles incoming packets from arbitrary chunks and returns their payloads."""

    def __init__(self) -> None:
        self.seq = 0
        self.keys = _NO_KEYS
        self.decompressor: Decompressor | None = None
        self._buffer = bytearray()
        self._first_block: bytes | None = None  # decrypted first block (E&M stream ciphers)
        self._length: int | None = None
        self.bytes_since_kex = 0

    def set_keys(self, spec: CipherSpec, key: bytes, iv: bytes, mac_spec: MacSpec | None, mac_key: bytes) -> None:
        self.use_keys(direction_keys(spec, key, iv, mac_spec, mac_key, encrypt=False))

    def use_keys(self, keys: DirectionKeys) -> None:
        self.keys = keys
        self.bytes_since_kex = 0

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def _check_length(self, length: int) -> None:
        if length < 5 or length > MAX_PACKET:
            raise ProtocolError(f"Bad packet length {length}.", DisconnectReason.PROTOCOL_ERROR)

    def next_payload(self) -> bytes | None:
        """Return the next complete payload, or None when more bytes are needed."""
        keys = self.keys
        shape = keys.shape
        buf = self._buffer
        if shape == _STREAM:
            block = keys.block
            first = self._first_block
            if first is None:
                if len(buf) < block:
                    return None
                first = keys.crypt(buf[:block])  # type: ignore[misc]  # crypt is set for this shape
                length = _U32.unpack_from(first)[0]
                if length < 5 or length > MAX_PACKET:
                    self._check_length(length)
                if (4 + length) % block:
                    raise ProtocolError("packet length not a multiple of the block size")
                self._first_block = first
                self._length = length
            else:
                length = self._length
            end = 4 + length
            consumed = end + keys.tag_size
            if len(buf) < consumed:
                return None
            plain = first + keys.crypt(buf[block:end])  # type: ignore[misc]
            self._first_block = None
            self._length = None
            base = keys.mac_base
            if base is not None:
                h = base.copy()
                h.update(_U32.pack(self.seq))
                h.update(plain)
                expected = h.digest() if keys.mac_full else h.digest()[: keys.mac_size]
                if not _compare(expected, buf[end:consumed]):
                    raise ProtocolError("Corrupted MAC on input.", DisconnectReason.MAC_ERROR)
            pad = plain[4]
            # padding_length counts inside packet_length; body = plain[4:], so compare with length
            if pad < MIN_PADDING or pad >= length:
                raise ProtocolError(f"Bad padding length {pad}.", DisconnectReason.PROTOCOL_ERROR)
            payload = plain[5 : end - pad]
        else:
            body, consumed = self._next_body(keys, buf)
            if body is None:
                return None
            pad = body[0]
            if pad < MIN_PADDING or pad >= len(body):
                raise ProtocolError(f"Bad padding length {pad}.", DisconnectReason.PROTOCOL_ERROR)
            payload = body[1 : len(body) - pad]
        del buf[:consumed]
        self.seq = (self.seq + 1) & 0xFFFFFFFF
        self.bytes_since_kex += consumed
        if self.decompressor is not None:
            payload = self.decompressor.decompress(payload)
        if not payload:
            raise ProtocolError("empty packet payload", DisconnectReason.PROTOCOL_ERROR)
        return payload

    def _next_body(self, keys: DirectionKeys, buf: bytearray) -> tuple[bytes | None, int]:
        """The other packet shapes: (padding_length || payload || padding, bytes consumed), or (None, 0)."""
        spec = keys.spec
        if spec is None:
            if len(buf) < 4:
                return None, 0
            length = _U32.unpack_from(buf)[0]
            self._check_length(length)
            if (4 + length) % 8:
                # RFC 4253 6: the whole packet is a multiple of 8 bytes even without a cipher (MUST)
                raise ProtocolError(f"Bad packet length {length}: not a multiple of 8.", DisconnectReason.PROTOCOL_ERROR)
            if len(buf) < 4 + length:
                return None, 0
            return bytes(buf[4 : 4 + length]), 4 + length
        if spec.mode == "chacha":
            if len(buf) < 4:
                return None, 0
            cipher: ChachaCipher = keys.cipher  # type: ignore[assignment]
            if self._length is None:
                length = _U32.unpack(cipher.crypt_length(self.seq, bytes(buf[:4])))[0]
                self._check_length(length)
                if length % 8:
                    raise ProtocolError("packet length not a multiple of the block size")
                self._length = length
            length = self._length
            consumed = 4 + length + 16
            if len(buf) < consumed:
                return None, 0
            body = cipher.open(self.seq, bytes(buf[:4]), bytes(buf[4 : 4 + length]), bytes(buf[4 + length : consumed]))
            self._length = None
            return body, consumed
        # gcm or etm
        if len(buf) < 4:
            return None, 0
        length = _U32.unpack_from(buf)[0]
        self._check_length(length)
        if length % keys.block:
            raise ProtocolError("packet length not a multiple of the block size")
        consumed = 4 + length + keys.tag_size
        if len(buf) < consumed:
            return None, 0
        header = bytes(buf[:4])
        enc = bytes(buf[4 : 4 + length])
        if spec.mode == "gcm":
            gcm: GcmCipher = keys.cipher  # type: ignore[assignment]
            return gcm.open(header, enc + bytes(buf[4 + length : consumed])), consumed
        tag = bytes(buf[4 + length : consumed])
        if not keys.mac.verify(self.seq, header + enc, tag):  # type: ignore[union-attr]
            raise ProtocolError("Corrupted MAC on input.", DisconnectReason.MAC_ERROR)
        return keys.crypt(enc), consumed  # type: ignore[misc]
