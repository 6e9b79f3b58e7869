"""SSH1 RSA key files: ``ssh-keygen1 -t rsa1`` private keys and ``identity.pub`` public key lines.

Private key file (OpenSSH ``sshkey.c`` rsa1 format, also read by PuTTY)::

    "SSH PRIVATE KEY FILE FORMAT 1.1\\n\\0"
    byte    cipher (0 = none, 3 = SSH1 3DES keyed with MD5(passphrase))
    uint32  reserved (0)
    uint32  bits;  mp-int n;  mp-int e;  string comment      <- clear text
    byte[4] check bytes c1 c2 c1 c2                          <- encrypted from here
    mp-int d;  mp-int iqmp;  mp-int q;  mp-int p;  zero padding to a multiple of 8

The public line is ``bits e n comment`` with decimal numbers, the format ``public-key peer``
imports on the switch.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from agent.errors import ProtocolError
from agent.ssh1.ciphers import CIPHERS, CIPHERS_BY_NUMBER
from agent.wire import Reader, mpint1, string, uint32

MAGIC = b"SSH PRIVATE KEY FILE FORMAT 1.1\n\0"


class KeyFileError(ValueError):
    """The file is not an SSH1 RSA key, is damaged, or the passphrase is wrong."""


def load_private_key(data: bytes, passphrase: bytes | str | None = None) -> tuple[rsa.RSAPrivateKey, str]:
    """Parse an rsa1 private key file; return the key and its comment."""
    if not data.startswith(MAGIC):
        raise KeyFileError("not an SSH1 private key file (missing 'SSH PRIVATE KEY FILE FORMAT 1.1')")
    try:
        reader = Reader(data, len(MAGIC))
        cipher_number = reader.byte()
        reader.uint32()
        reader.uint32()
        n, e = reader.mpint1(), reader.mpint1()
        comment = reader.string().decode("utf-8", "replace")
        encrypted = reader.rest()
    except ProtocolError as exc:
        raise KeyFileError(f"truncated SSH1 key file: {exc.description}") from exc
    spec = CIPHERS_BY_NUMBER.get(cipher_number)
    if spec is None:
        raise KeyFileError(f"unsupported key file cipher {cipher_number}")
    if cipher_number != 0:
        if passphrase is None:
            raise KeyFileError("the key file is encrypted; a passphrase is needed")
        if len(encrypted) % 8:
            raise KeyFileError("encrypted part is not a multiple of 8 bytes")
        phrase = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        encrypted = spec.decryptor(hashlib.md5(phrase).digest()).update(encrypted)
    try:
        private = Reader(encrypted)
        check = private.raw(4)
        if check[0] != check[2] or check[1] != check[3]:
            raise KeyFileError("wrong passphrase" if cipher_number else "damaged key file (check bytes)")
        d, _iqmp, q, p = private.mpint1(), private.mpint1(), private.mpint1(), private.mpint1()
    except ProtocolError as exc:
        raise KeyFileError(f"damaged private part: {exc.description}") from exc
    if p * q != n:
        raise KeyFileError("damaged key file: p*q != n")
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, n),
    )
    try:
        return numbers.private_key(), comment
    except ValueError as exc:
        raise KeyFileError(f"invalid RSA key: {exc}") from exc


def load_private_key_file(path: str | Path, passphrase: bytes | str | None = None) -> rsa.RSAPrivateKey:
    return load_private_key(Path(path).read_bytes(), passphrase)[0]


def dump_private_key(
    key: rsa.RSAPrivateKey, comment: str = "", passphrase: bytes | str | None = None
) -> bytes:
    """Write the rsa1 file format (what ``ssh-keygen1`` writes), unencrypted or with 3DES+MD5(passphrase)."""
    numbers = key.private_numbers()
    public = numbers.public_numbers
    check = os.urandom(2)
    # OpenSSL's iqmp is q^-1 mod p, stored in the order d, iqmp, q, p.
    private = check + check + mpint1(numbers.d) + mpint1(rsa.rsa_crt_iqmp(numbers.q, numbers.p))
    private += mpint1(numbers.q) + mpint1(numbers.p)
    private += bytes(-len(private) % 8)
    cipher_number = 0
    if passphrase:
        phrase = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        spec = CIPHERS["3des"]
        private = spec.encryptor(hashlib.md5(phrase).digest()).update(private)
        cipher_number = spec.number
    header = MAGIC + bytes((cipher_number,)) + uint32(0) + uint32(public.n.bit_length())
    return header + mpint1(public.n) + mpint1(public.e) + string(comment) + private


def public_key_line(e: int, n: int, comment: str = "") -> str:
    """``identity.pub`` / known_hosts form: ``bits e n [comment]``."""
    line = f"{n.bit_length()} {e} {n}"
    return f"{line} {comment}" if comment else line


def parse_public_key_line(line: str) -> tuple[int, int, str]:
    """Parse ``bits e n [comment]`` and return (e, n, comment)."""
    parts = line.strip().split(None, 3)
    if len(parts) < 3 or not all(part.isdigit() for part in parts[:3]):
        raise KeyFileError("not an SSH1 public key line (expected 'bits e n [comment]')")
    bits, e, n = (int(part) for part in parts[:3])
    if n.bit_length() != bits:
        raise KeyFileError(f"key size {bits} does not match the modulus ({n.bit_length()} bits)")
    return e, n, parts[3] if len(parts) > 3 else ""
