"""The SSH-2 binary packet protocol (RFC 4253 6), one object per direction.

This is the per-packet hot path: every field is bounded before it is trusted (an oversize
length, short padding or a bad tag is a :class:`ProtocolError` with the RFC reason code), and
cipher, MAC and compression state objects are created once per key exchange, not per packet.
"""

from __future__ import annotations

import os
import struct

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms.cipher import ChachaCipher, CipherSpec, GcmCipher, StreamCipher
from agent.ssh2.algorithms.compression import Compressor, Decompressor
from agent.ssh2.algorithms.mac import Mac, MacSpec

MAX_PACKET = 256 * 1024  # largest packet_length accepted (RFC 4253 requires at least 35000)
MIN_PADDING = 4
_U32 = struct.Struct(">I")


class _Keys:
    """Cipher, MAC and compression state for one direction after a NEWKEYS."""

    __slots__ = ("spec", "cipher", "mac", "etm", "block", "tag_size")

    def __init__(self, spec: CipherSpec | None, cipher: object, mac_spec: MacSpec | None, mac: Mac | None) -> None:
        self.spec = spec
        self.cipher = cipher
        self.mac = mac
        self.etm = bool(mac_spec and mac_spec.etm)
        self.block = max(8, spec.block_size) if spec else 8
        if spec and spec.has_integrity:
            self.tag_size = spec.tag_size
        else:
            self.tag_size = mac.size if mac else 0


_NO_KEYS = _Keys(None, None, None, None)


class PacketWriter:
    """Frames outgoing payloads: compression, padding, encryption, MAC, sequence number."""

    def __init__(self) -> None:
        self.seq = 0
        self.keys = _NO_KEYS
        self.compressor: Compressor | None = None
        self.bytes_since_kex = 0
        self.packets_since_kex = 0

    def set_keys(self, spec: CipherSpec, key: bytes, iv: bytes, mac_spec: MacSpec | None, mac_key: bytes) -> None:
        cipher = spec.new(key, iv, encrypt=True)
        mac = mac_spec.new(mac_key) if mac_spec and not spec.has_integrity else None
        self.keys = _Keys(spec, cipher, mac_spec if mac else None, mac)
        self.bytes_since_kex = 0
        self.packets_since_kex = 0

    def pack(self, payload: bytes) -> bytes:
        if self.compressor is not None:
            payload = self.compressor.compress(payload)
        keys = self.keys
        block = keys.block
        aligned_without_length = keys.etm or (keys.spec is not None and keys.spec.has_integrity)
        base = 1 + len(payload) + (0 if aligned_without_length else 4)
        pad = block - (base % block)
        if pad < MIN_PADDING:
            pad += block
        length = 1 + len(payload) + pad
        header = _U32.pack(length)
        body = bytes((pad,)) + payload + os.urandom(pad)
        seq = self.seq
        self.seq = (seq + 1) & 0xFFFFFFFF
        self.packets_since_kex += 1
        spec = keys.spec
        if spec is None:
            out = header + body
        elif spec.mode == "chacha":
            out = keys.cipher.seal(seq, header, body)  # type: ignore[union-attr]
        elif spec.mode == "gcm":
            out = header + keys.cipher.seal(header, body)  # type: ignore[union-attr]
        elif keys.etm:
            enc = keys.cipher.update(body)  # type: ignore[union-attr]
            out = header + enc + keys.mac.compute(seq, header + enc)  # type: ignore[union-attr]
        else:
            plain = header + body
            tag = keys.mac.compute(seq, plain) if keys.mac else b""
            out = keys.cipher.update(plain) + tag  # type: ignore[union-attr]
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
        self.packets_since_kex = 0

    def set_keys(self, spec: CipherSpec, key: bytes, iv: bytes, mac_spec: MacSpec | None, mac_key: bytes) -> None:
        cipher = spec.new(key, iv, encrypt=False)
        mac = mac_spec.new(mac_key) if mac_spec and not spec.has_integrity else None
        self.keys = _Keys(spec, cipher, mac_spec if mac else None, mac)
        self.bytes_since_kex = 0
        self.packets_since_kex = 0

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
        spec = keys.spec
        buf = self._buffer
        if spec is None:
            if len(buf) < 4:
                return None
            length = _U32.unpack_from(buf)[0]
            self._check_length(length)
            if len(buf) < 4 + length:
                return None
            body = bytes(buf[4 : 4 + length])
            consumed = 4 + length
        elif spec.mode == "chacha":
            if len(buf) < 4:
                return None
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
                return None
            body = cipher.open(self.seq, bytes(buf[:4]), bytes(buf[4 : 4 + length]), bytes(buf[4 + length : consumed]))
            self._length = None
        elif spec.mode == "gcm" or keys.etm:
            if len(buf) < 4:
                return None
            length = _U32.unpack_from(buf)[0]
            self._check_length(length)
            if length % keys.block:
                raise ProtocolError("packet length not a multiple of the block size")
            consumed = 4 + length + keys.tag_size
            if len(buf) < consumed:
                return None
            header = bytes(buf[:4])
            enc = bytes(buf[4 : 4 + length])
            if spec.mode == "gcm":
                gcm: GcmCipher = keys.cipher  # type: ignore[assignment]
                body = gcm.open(header, enc + bytes(buf[4 + length : consumed]))
            else:
                tag = bytes(buf[4 + length : consumed])
                if not keys.mac.verify(self.seq, header + enc, tag):  # type: ignore[union-attr]
                    raise ProtocolError("Corrupted MAC on input.", DisconnectReason.MAC_ERROR)
                body = keys.cipher.update(enc)  # type: ignore[union-attr]
        else:
            block = keys.block
            stream: StreamCipher = keys.cipher  # type: ignore[assignment]
            if self._first_block is None:
                if len(buf) < block:
                    return None
                self._first_block = stream.update(bytes(buf[:block]))
                length = _U32.unpack_from(self._first_block)[0]
                self._check_length(length)
                if (4 + length) % block:
                    raise ProtocolError("packet length not a multiple of the block size")
                self._length = length
            length = self._length  # type: ignore[assignment]
            consumed = 4 + length + keys.tag_size
            if len(buf) < consumed:
                return None
            plain = self._first_block + stream.update(bytes(buf[block : 4 + length]))
            self._first_block = None
            self._length = None
            if keys.mac is not None:
                tag = bytes(buf[4 + length : consumed])
                if not keys.mac.verify(self.seq, plain, tag):
                    raise ProtocolError("Corrupted MAC on input.", DisconnectReason.MAC_ERROR)
            body = plain[4:]
        del buf[:consumed]
        self.seq = (self.seq + 1) & 0xFFFFFFFF
        self.bytes_since_kex += consumed
        self.packets_since_kex += 1
        pad = body[0]
        if pad < MIN_PADDING or pad >= len(body):
            raise ProtocolError(f"Bad padding length {pad}.", DisconnectReason.PROTOCOL_ERROR)
        payload = body[1 : len(body) - pad]
        if self.decompressor is not None:
            payload = self.decompressor.decompress(payload)
        if not payload:
            raise ProtocolError("empty packet payload", DisconnectReason.PROTOCOL_ERROR)
        return payload
