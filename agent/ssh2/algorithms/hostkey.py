"""Host key and user key algorithms: public key blobs, signing and verification (RFC 4253 6.6,
RFC 5656, RFC 8332, RFC 8709).

A :class:`HostKey` wraps one private key and signs for every algorithm name its key type
allows (an RSA key signs ``rsa-sha2-512``, ``rsa-sha2-256`` and ``ssh-rsa``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from agent.errors import ProtocolError
from agent.wire import Reader, mpint, string


@dataclass(frozen=True)
class HostKeyAlgorithm:
    """A signature algorithm name as it appears in KEXINIT and in publickey requests."""

    name: str
    key_type: str  # the blob's type string: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256 ...
    hash: hashes.HashAlgorithm | None


SSH_CURVE_NAMES = {"secp256r1": "nistp256", "secp384r1": "nistp384", "secp521r1": "nistp521"}  # OpenSSL -> SSH
_CURVES = {
    "nistp256": (ec.SECP256R1(), hashes.SHA256()),
    "nistp384": (ec.SECP384R1(), hashes.SHA384()),
    "nistp521": (ec.SECP521R1(), hashes.SHA512()),
}

HOST_KEY_ALGORITHMS: dict[str, HostKeyAlgorithm] = {
    "ssh-ed25519": HostKeyAlgorithm("ssh-ed25519", "ssh-ed25519", None),
    "ecdsa-sha2-nistp256": HostKeyAlgorithm("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", hashes.SHA256()),
    "ecdsa-sha2-nistp384": HostKeyAlgorithm("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", hashes.SHA384()),
    "ecdsa-sha2-nistp521": HostKeyAlgorithm("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", hashes.SHA512()),
    "rsa-sha2-512": HostKeyAlgorithm("rsa-sha2-512", "ssh-rsa", hashes.SHA512()),
    "rsa-sha2-256": HostKeyAlgorithm("rsa-sha2-256", "ssh-rsa", hashes.SHA256()),
    "ssh-rsa": HostKeyAlgorithm("ssh-rsa", "ssh-rsa", hashes.SHA1()),
}

# The host-key names a server may offer (the profile picks an ordered subset).
SERVER_HOST_KEY_NAMES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")
# Signature algorithms accepted for user public-key authentication (server-sig-algs).
USER_SIG_ALGORITHMS = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
)

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def public_blob(key: PublicKey) -> bytes:
    """The SSH wire encoding of a public key."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return string(b"ssh-ed25519") + string(raw)
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return string(b"ssh-rsa") + mpint(numbers.e) + mpint(numbers.n)
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = SSH_CURVE_NAMES[key.curve.name]
        point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return string(f"ecdsa-sha2-{curve}") + string(curve) + string(point)
    raise TypeError(f"unsupported key type {type(key)!r}")


def parse_public_blob(blob: bytes) -> tuple[str, PublicKey]:
    """Decode a public key blob; ProtocolError if it is malformed or of an unknown type."""
    reader = Reader(blob)
    key_type = reader.string().decode("ascii", "replace")
    try:
        if key_type == "ssh-ed25519":
            raw = reader.string()
            return key_type, ed25519.Ed25519PublicKey.from_public_bytes(raw)
        if key_type == "ssh-rsa":
            e = reader.mpint()
            n = reader.mpint()
            if e <= 1 or n <= 0:
                raise ProtocolError("bad RSA public key")
            return key_type, rsa.RSAPublicNumbers(e, n).public_key()
        if key_type.startswith("ecdsa-sha2-"):
            curve_name = reader.string().decode("ascii", "replace")
            if f"ecdsa-sha2-{curve_name}" != key_type or curve_name not in _CURVES:
                raise ProtocolError("bad ECDSA public key")
            point = reader.string()
            return key_type, ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[curve_name][0], point)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ProtocolError(f"bad {key_type} public key: {exc}") from exc
    raise ProtocolError(f"unsupported public key type {key_type!r}")


def verify_signature(algorithm: str, key_blob: bytes, signature_blob: bytes, data: bytes) -> bool:
    """Check an SSH signature blob (``string alg, string sig``) made with ``algorithm`` over ``data``."""
    spec = HOST_KEY_ALGORITHMS.get(algorithm)
    if spec is None:
        return False
    key_type, key = parse_public_blob(key_blob)
    if key_type != spec.key_type:
        return False
    reader = Reader(signature_blob)
    sig_alg = reader.string().decode("ascii", "replace")
    sig = reader.string()
    if sig_alg != algorithm:
        return False
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig, data)
        elif isinstance(key, rsa.RSAPublicKey):
            assert spec.hash is not None
            key.verify(sig, data, padding.PKCS1v15(), spec.hash)
        else:
            assert spec.hash is not None
            inner = Reader(sig)
            r = inner.mpint()
            s = inner.mpint()
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(spec.hash))
    except (InvalidSignature, ValueError):
        return False
    return True


class HostKey:
    """A private key that signs exchange hashes for the algorithm names its type allows."""

    def __init__(self, kind: str, private_key: object, algorithms: tuple[str, ...]) -> None:
        self.kind = kind
        self.private_key = private_key
        self.algorithms = algorithms
        self.blob = public_blob(private_key.public_key())  # type: ignore[attr-defined]

    def sign(self, algorithm: str, data: bytes) -> bytes:
        """Return the signature blob ``string alg || string signature``."""
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return string(b"ssh-ed25519") + string(key.sign(data))
        spec = HOST_KEY_ALGORITHMS[algorithm]
        assert spec.hash is not None
        if isinstance(key, rsa.RSAPrivateKey):
            return string(algorithm) + string(key.sign(data, padding.PKCS1v15(), spec.hash))
        if isinstance(key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(spec.hash)))
            return string(algorithm) + string(mpint(r) + mpint(s))
        raise TypeError(f"unsupported key {type(key)!r}")


def host_key_from_private(key: object) -> HostKey:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return HostKey("ed25519", key, ("ssh-ed25519",))
    if isinstance(key, rsa.RSAPrivateKey):
        return HostKey("rsa", key, ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curve = SSH_CURVE_NAMES[key.curve.name]
        return HostKey("ecdsa", key, (f"ecdsa-sha2-{curve}",))
    raise TypeError(f"unsupported host key type {type(key)!r}")


def kind_for_algorithm(algorithm: str) -> str:
    """Which host key kind (store slot) signs for a KEXINIT host-key algorithm name."""
    key_type = HOST_KEY_ALGORITHMS[algorithm].key_type
    return _KIND_BY_KEY_TYPE.get(key_type, "ecdsa")


_KIND_BY_KEY_TYPE = {"ssh-ed25519": "ed25519", "ssh-rsa": "rsa"}
