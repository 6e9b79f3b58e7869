"""Key exchange methods (RFC 4253 8, RFC 4419, RFC 5656, RFC 8268, RFC 8731, mlkem768x25519).

Every method here is a single key agreement (client value -> server value -> shared secret
K) except group exchange, which first agrees on a group. The server and client halves are
sans-IO: they take message payloads and return payloads to send, and end with a
:class:`KexOutcome` holding K (encoded exactly as it enters the exchange hash) and H.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, mlkem, x25519

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms.modp_groups import GENERATOR, MODP_GROUPS
from agent.ssh2.constants import (
    MSG_KEX_DH_GEX_GROUP,
    MSG_KEX_DH_GEX_INIT,
    MSG_KEX_DH_GEX_REPLY,
    MSG_KEX_DH_GEX_REQUEST,
    MSG_KEX_DH_GEX_REQUEST_OLD,
    MSG_KEXDH_INIT,
    MSG_KEXDH_REPLY,
)
from agent.wire import Reader, byte, mpint, mpint_from_unsigned, string, uint32

Family = Literal["x25519", "ecdh", "dh", "gex", "mlkem"]
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw
_POINT = serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
_CURVES = {"nistp256": ec.SECP256R1(), "nistp384": ec.SECP384R1(), "nistp521": ec.SECP521R1()}

GEX_MIN, GEX_MAX = 1024, 8192


@dataclass(frozen=True)
class KexSpec:
    name: str
    hash: str
    family: Family
    param: str | int | None = None  # curve name or MODP group size

    def new_hash(self) -> hashlib._Hash:
        return hashlib.new(self.hash)


KEX_METHODS: dict[str, KexSpec] = {
    spec.name: spec
    for spec in (
        KexSpec("mlkem768x25519-sha256", "sha256", "mlkem"),
        KexSpec("curve25519-sha256", "sha256", "x25519"),
        KexSpec("curve25519-sha256@libssh.org", "sha256", "x25519"),
        KexSpec("ecdh-sha2-nistp256", "sha256", "ecdh", "nistp256"),
        KexSpec("ecdh-sha2-nistp384", "sha384", "ecdh", "nistp384"),
        KexSpec("ecdh-sha2-nistp521", "sha512", "ecdh", "nistp521"),
        KexSpec("diffie-hellman-group-exchange-sha256", "sha256", "gex"),
        KexSpec("diffie-hellman-group16-sha512", "sha512", "dh", 4096),
        KexSpec("diffie-hellman-group18-sha512", "sha512", "dh", 8192),
        KexSpec("diffie-hellman-group14-sha256", "sha256", "dh", 2048),
        KexSpec("diffie-hellman-group14-sha1", "sha1", "dh", 2048),
        KexSpec("diffie-hellman-group-exchange-sha1", "sha1", "gex"),
        KexSpec("diffie-hellman-group1-sha1", "sha1", "dh", 1024),
    )
}


@dataclass(frozen=True)
class KexInputs:
    """The exchange-hash inputs common to every method (RFC 4253 8)."""

    v_c: bytes
    v_s: bytes
    i_c: bytes
    i_s: bytes

    def prefix(self) -> bytes:
        return string(self.v_c) + string(self.v_s) + string(self.i_c) + string(self.i_s)


@dataclass(frozen=True)
class KexOutcome:
    k: bytes  # shared secret, encoded as in H (mpint, or string for the hybrid KEM)
    h: bytes
    host_key_blob: bytes
    signature: bytes


# --- one-shot agreements: client value, server value, K ------------------------------------------


class _Agreement(Protocol):
    """Both halves of one key agreement; ``client_value``/``server_value`` are wire-encoded fields."""

    def client_value(self) -> bytes: ...

    def server_respond(self, reader: Reader) -> tuple[bytes, bytes, bytes]:
        """Read the client's value; return (client field, server field, K encoded)."""
        ...

    def client_finish(self, reader: Reader) -> tuple[bytes, bytes]:
        """Read the server's value; return (server field, K encoded)."""
        ...


class _EphemeralX25519:
    """Curve25519 ephemeral key pairs, made a few at a time; each serves exactly one exchange.

    Made one per connection, a key pair costs about twice as much as made in a row, because
    each connection's key exchange starts after a wait, with OpenSSL's code and tables out of
    the caches (measured in a live server: 38 us against 20 us). A batch is small, is only
    made when the last one is used up, and is dropped in a forked child (a lab worker), so no
    key can serve two exchanges.
    """

    BATCH = 8

    def __init__(self) -> None:
        self._ready: list[tuple[x25519.X25519PrivateKey, bytes]] = []
        os.register_at_fork(after_in_child=self._ready.clear)

    def take(self) -> tuple[x25519.X25519PrivateKey, bytes]:
        """A fresh (private key, raw public value) pair, never handed out before."""
        try:
            return self._ready.pop()  # atomic: two threads never get the same pair
        except IndexError:
            pass
        batch = [self._make() for _ in range(self.BATCH)]
        pair = batch.pop()
        self._ready.extend(batch)
        return pair

    @staticmethod
    def _make() -> tuple[x25519.X25519PrivateKey, bytes]:
        private = x25519.X25519PrivateKey.generate()
        return private, private.public_key().public_bytes(*_RAW)


_X25519_KEYS = _EphemeralX25519()


def _x25519_secret(private: x25519.X25519PrivateKey, peer: bytes) -> bytes:
    if len(peer) != 32:
        raise ProtocolError("bad curve25519 public value", DisconnectReason.KEY_EXCHANGE_FAILED)
    try:
        shared = private.exchange(x25519.X25519PublicKey.from_public_bytes(peer))
    except ValueError as exc:  # all-zero result: a small-order point
        raise ProtocolError("curve25519 shared secret is zero", DisconnectReason.KEY_EXCHANGE_FAILED) from exc
    return shared


class _X25519(_Agreement):
    def __init__(self) -> None:
        self._private, self._public = _X25519_KEYS.take()

    def client_value(self) -> bytes:
        return string(self._public)

    def server_respond(self, reader: Reader) -> tuple[bytes, bytes, bytes]:
        q_c = reader.string()
        k = mpint_from_unsigned(_x25519_secret(self._private, q_c))
        return string(q_c), string(self._public), k

    def client_finish(self, reader: Reader) -> tuple[bytes, bytes]:
        q_s = reader.string()
        return string(q_s), mpint_from_unsigned(_x25519_secret(self._private, q_s))


class _Ecdh(_Agreement):
    def __init__(self, curve: str) -> None:
        self._curve = _CURVES[curve]
        self._private = ec.generate_private_key(self._curve)
        self._public = self._private.public_key().public_bytes(*_POINT)

    def _secret(self, point: bytes) -> bytes:
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(self._curve, point)
        except ValueError as exc:
            raise ProtocolError("bad ECDH public point", DisconnectReason.KEY_EXCHANGE_FAILED) from exc
        return self._private.exchange(ec.ECDH(), peer)

    def client_value(self) -> bytes:
        return string(self._public)

    def server_respond(self, reader: Reader) -> tuple[bytes, bytes, bytes]:
        q_c = reader.string()
        return string(q_c), string(self._public), mpint_from_unsigned(self._secret(q_c))

    def client_finish(self, reader: Reader) -> tuple[bytes, bytes]:
        q_s = reader.string()
        return string(q_s), mpint_from_unsigned(self._secret(q_s))


class _FiniteFieldDh(_Agreement):
    """Classic DH with Python integers (cryptography deprecates FFDH; pow() is exact and simple)."""

    def __init__(self, p: int, g: int) -> None:
        self.p, self.g = p, g
        self._x = secrets.randbits(512) | (1 << 511)
        self._y = pow(g, self._x, p)

    def _check(self, value: int) -> None:
        if not 1 < value < self.p - 1:
            raise ProtocolError("DH public value out of range", DisconnectReason.KEY_EXCHANGE_FAILED)

    def client_value(self) -> bytes:
        return mpint(self._y)

    def server_respond(self, reader: Reader) -> tuple[bytes, bytes, bytes]:
        e = reader.mpint()
        self._check(e)
        return mpint(e), mpint(self._y), mpint(pow(e, self._x, self.p))

    def client_finish(self, reader: Reader) -> tuple[bytes, bytes]:
        f = reader.mpint()
        self._check(f)
        return mpint(f), mpint(pow(f, self._x, self.p))


class _MlkemX25519(_Agreement):
    """mlkem768x25519-sha256: ML-KEM-768 encapsulation + X25519, K = string(SHA-256(ss_pq || ss_cl))."""

    EK = 1184  # ML-KEM-768 encapsulation key
    CT = 1088  # ML-KEM-768 ciphertext

    def __init__(self) -> None:
        self._x, self._x_pub = _X25519_KEYS.take()
        self._kem: mlkem.MLKEM768PrivateKey | None = None

    def client_value(self) -> bytes:
        self._kem = mlkem.MLKEM768PrivateKey.generate()
        return string(self._kem.public_key().public_bytes_raw() + self._x_pub)

    def server_respond(self, reader: Reader) -> tuple[bytes, bytes, bytes]:
        blob = reader.string()
        if len(blob) != self.EK + 32:
            raise ProtocolError("bad mlkem768x25519 client value", DisconnectReason.KEY_EXCHANGE_FAILED)
        try:
            ss_pq, ct = mlkem.MLKEM768PublicKey.from_public_bytes(blob[: self.EK]).encapsulate()
        except ValueError as exc:
            raise ProtocolError("bad ML-KEM encapsulation key", DisconnectReason.KEY_EXCHANGE_FAILED) from exc
        ss_cl = _x25519_secret(self._x, blob[self.EK :])
        k = string(hashlib.sha256(ss_pq + ss_cl).digest())
        return string(blob), string(ct + self._x_pub), k

    def client_finish(self, reader: Reader) -> tuple[bytes, bytes]:
        blob = reader.string()
        if len(blob) != self.CT + 32 or self._kem is None:
            raise ProtocolError("bad mlkem768x25519 server value", DisconnectReason.KEY_EXCHANGE_FAILED)
        ss_pq = self._kem.decapsulate(blob[: self.CT])
        ss_cl = _x25519_secret(self._x, blob[self.CT :])
        return string(blob), string(hashlib.sha256(ss_pq + ss_cl).digest())


def _agreement(spec: KexSpec, p: int | None = None, g: int | None = None) -> _Agreement:
    if spec.family == "x25519":
        return _X25519()
    if spec.family == "ecdh":
        return _Ecdh(str(spec.param))
    if spec.family == "mlkem":
        return _MlkemX25519()
    if spec.family == "dh":
        return _FiniteFieldDh(MODP_GROUPS[int(spec.param)], GENERATOR)  # type: ignore[arg-type]
    assert p is not None and g is not None
    return _FiniteFieldDh(p, g)


def gex_choose_group(minimum: int, preferred: int, maximum: int) -> tuple[int, int]:
    """Pick the RFC 3526 group closest to the client's preferred size within [min, max]."""
    if minimum > maximum or maximum < 1024 or minimum > GEX_MAX:
        raise ProtocolError("no DH group in the requested range", DisconnectReason.KEY_EXCHANGE_FAILED)
    usable = [bits for bits in MODP_GROUPS if max(minimum, 2048 if maximum >= 2048 else 1024) <= bits <= maximum]
    if not usable:
        raise ProtocolError("no DH group in the requested range", DisconnectReason.KEY_EXCHANGE_FAILED)
    bits = min(usable, key=lambda b: (abs(b - preferred), b))
    return MODP_GROUPS[bits], GENERATOR


# --- server and client state machines -----------------------------------------------------------


class KexServer:
    """Server half of one key exchange; the transport signs H with the negotiated host key."""

    def __init__(self, spec: KexSpec, inputs: KexInputs, host_key_blob: bytes, sign: object) -> None:
        self.spec = spec
        self.inputs = inputs
        self.host_key_blob = host_key_blob
        self._sign = sign
        self._gex_fields = b""
        self._agreement: _Agreement | None = None if spec.family == "gex" else _agreement(spec)
        self.expected: tuple[int, ...] = (
            (MSG_KEX_DH_GEX_REQUEST, MSG_KEX_DH_GEX_REQUEST_OLD) if spec.family == "gex" else (MSG_KEXDH_INIT,)
        )

    def handle(self, msg_type: int, payload: bytes) -> tuple[list[bytes], KexOutcome | None]:
        if msg_type not in self.expected:
            raise ProtocolError(f"unexpected message {msg_type} during key exchange")
        reader = Reader(payload, 1)
        if self.spec.family == "gex" and self._agreement is None:
            if msg_type == MSG_KEX_DH_GEX_REQUEST:
                lo, n, hi = reader.uint32(), reader.uint32(), reader.uint32()
                p, g = gex_choose_group(lo, n, hi)
                self._gex_fields = uint32(lo) + uint32(n) + uint32(hi)
            else:
                n = reader.uint32()
                p, g = gex_choose_group(GEX_MIN, n, GEX_MAX)
                self._gex_fields = uint32(n)
            self._gex_fields += mpint(p) + mpint(g)
            self._agreement = _agreement(self.spec, p, g)
            self.expected = (MSG_KEX_DH_GEX_INIT,)
            return [byte(MSG_KEX_DH_GEX_GROUP) + mpint(p) + mpint(g)], None
        assert self._agreement is not None
        client_field, server_field, k = self._agreement.server_respond(reader)
        h = exchange_hash(self.spec, self.inputs, self.host_key_blob, self._gex_fields, client_field, server_field, k)
        signature = self._sign(h)  # type: ignore[operator]
        reply_type = MSG_KEX_DH_GEX_REPLY if self.spec.family == "gex" else MSG_KEXDH_REPLY
        reply = byte(reply_type) + string(self.host_key_blob) + server_field + string(signature)
        self.expected = ()
        return [reply], KexOutcome(k, h, self.host_key_blob, signature)


class KexClient:
    """Client half of one key exchange (used by the project's test client and benchmarks)."""

    GEX_REQUEST = (2048, 3072, 8192)

    def __init__(self, spec: KexSpec, inputs: KexInputs) -> None:
        self.spec = spec
        self.inputs = inputs
        self._gex_fields = b""
        self._agreement: _Agreement | None = None
        self._client_field = b""
        self.expected: tuple[int, ...] = ()

    def start(self) -> list[bytes]:
        if self.spec.family == "gex":
            self.expected = (MSG_KEX_DH_GEX_GROUP,)
            return [byte(MSG_KEX_DH_GEX_REQUEST) + b"".join(uint32(v) for v in self.GEX_REQUEST)]
        self._agreement = _agreement(self.spec)
        self._client_field = self._agreement.client_value()
        self.expected = (MSG_KEXDH_REPLY,)
        return [byte(MSG_KEXDH_INIT) + self._client_field]

    def handle(self, msg_type: int, payload: bytes) -> tuple[list[bytes], KexOutcome | None]:
        if msg_type not in self.expected:
            raise ProtocolError(f"unexpected message {msg_type} during key exchange")
        reader = Reader(payload, 1)
        if self.spec.family == "gex" and self._agreement is None:  # KEX_DH_GEX_GROUP
            p, g = reader.mpint(), reader.mpint()
            if not GEX_MIN <= p.bit_length() <= GEX_MAX or g < 2:
                raise ProtocolError("server offered a bad DH group", DisconnectReason.KEY_EXCHANGE_FAILED)
            self._gex_fields = b"".join(uint32(v) for v in self.GEX_REQUEST) + mpint(p) + mpint(g)
            self._agreement = _agreement(self.spec, p, g)
            self._client_field = self._agreement.client_value()
            self.expected = (MSG_KEX_DH_GEX_REPLY,)
            return [byte(MSG_KEX_DH_GEX_INIT) + self._client_field], None
        assert self._agreement is not None
        host_key_blob = reader.string()
        server_field, k = self._agreement.client_finish(reader)
        signature = reader.string()
        h = exchange_hash(self.spec, self.inputs, host_key_blob, self._gex_fields, self._client_field, server_field, k)
        self.expected = ()
        return [], KexOutcome(k, h, host_key_blob, signature)


def exchange_hash(
    spec: KexSpec,
    inputs: KexInputs,
    host_key_blob: bytes,
    gex_fields: bytes,
    client_field: bytes,
    server_field: bytes,
    k: bytes,
) -> bytes:
    h = spec.new_hash()
    h.update(inputs.prefix())
    h.update(string(host_key_blob))
    h.update(gex_fields)
    h.update(client_field)
    h.update(server_field)
    h.update(k)
    return h.digest()
