"""Peer public keys: import from OpenSSH / SSH1 key files, and the Comware key-code form.

Keys are held as ``cryptography`` public key objects. One RSA key serves both SSH-2
(``ssh-rsa`` blob) and SSH1 RSA authentication (``(e, n)``), so the device does not need to
know which protocol the key was imported for. In the configuration a key is written the
Comware way: DER SubjectPublicKeyInfo as upper-case hex between ``public-key-code begin`` and
``public-key-code end``.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from agent.errors import ProtocolError
from agent.ssh2.algorithms.hostkey import PublicKey, parse_public_blob, public_blob

_SSH2_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")


class KeyFormatError(ValueError):
    """The text is not a public key this device understands."""


def parse_key_file(text: str) -> PublicKey:
    """First key in an OpenSSH ``authorized_keys``/``.pub`` file or an SSH1 ``identity.pub`` file."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        return parse_key_line(line)
    raise KeyFormatError("no key in file")


def parse_key_line(line: str) -> PublicKey:
    """``ssh-ed25519 AAAA... comment`` (options before the type allowed) or SSH1 ``bits e n comment``."""
    words = line.split()
    if len(words) >= 3 and all(w.isdigit() for w in words[:3]):
        e, n = int(words[1]), int(words[2])
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise KeyFormatError(f"bad SSH1 key: {exc}") from exc
    for i, word in enumerate(words):
        if word in _SSH2_TYPES and i + 1 < len(words):
            try:
                blob = base64.b64decode(words[i + 1], validate=True)
                key_type, key = parse_public_blob(blob)
            except (binascii.Error, ValueError, ProtocolError) as exc:
                raise KeyFormatError(str(exc)) from exc
            if key_type != word:
                raise KeyFormatError("key type mismatch")
            return key
    raise KeyFormatError("unrecognised key line")


def to_code(key: PublicKey) -> str:
    """Comware key code: hex of the DER SubjectPublicKeyInfo."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der.hex().upper()


def from_code(code: str) -> PublicKey:
    """Inverse of :func:`to_code`; KeyFormatError on bad hex or an unsupported key."""
    try:
        key = serialization.load_der_public_key(bytes.fromhex(code))
    except ValueError as exc:
        raise KeyFormatError(str(exc)) from exc
    if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise KeyFormatError("unsupported key type")
    return key


def ssh2_blob(key: PublicKey) -> bytes:
    """The SSH-2 public key blob."""
    return public_blob(key)


def rsa1_numbers(key: PublicKey) -> tuple[int, int] | None:
    """``(e, n)`` for an RSA key (usable for SSH1 RSA authentication), else None."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return numbers.e, numbers.n
    return None


def code_lines(code: str, width: int = 64) -> list[str]:
    return [code[i : i + width] for i in range(0, len(code), width)]
