"""SSH1 session id, session key transport and RSA challenge arithmetic (spec A.6, A.8).

The session id is ``MD5(host_n || server_n || cookie)`` with the *host* modulus first: that is
what OpenSSH and PuTTY compute, although the draft's prose names the server key first. The
client XORs the first 16 bytes of its 32-byte session key with the session id, and
PKCS#1-v1.5-encrypts the result with the smaller modulus, then with the larger one.

``cryptography`` uses implicit rejection for PKCS#1 v1.5 decryption: bad padding yields random
bytes instead of an exception. The server therefore never reveals whether unwrapping worked;
a wrong key only shows up as a CRC failure on the client's first encrypted packet, exactly as
sshd's "fake key on RSA failure" behaves.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives.asymmetric import padding, rsa

from agent.ssh1.messages import SESSION_KEY_SIZE


def modulus_bytes(n: int) -> bytes:
    """Minimal big-endian bytes of a modulus (OpenSSH ``BN_bn2bin``)."""
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def session_id(host_n: int, server_n: int, cookie: bytes) -> bytes:
    return hashlib.md5(modulus_bytes(host_n) + modulus_bytes(server_n) + cookie).digest()


def _public(e: int, n: int) -> rsa.RSAPublicKey:
    return rsa.RSAPublicNumbers(e, n).public_key()


def _encrypt(e: int, n: int, value: int) -> int:
    data = modulus_bytes(value)
    return int.from_bytes(_public(e, n).encrypt(data, padding.PKCS1v15()), "big")


def wrap_session_key(
    session_key: bytes, sid: bytes, server_key: tuple[int, int], host_key: tuple[int, int]
) -> int:
    """Client side: the integer sent in SSH_CMSG_SESSION_KEY. Keys are (e, n)."""
    mixed = bytes(b ^ sid[i] for i, b in enumerate(session_key[:16])) + session_key[16:]
    value = int.from_bytes(mixed, "big")
    first, second = sorted((server_key, host_key), key=lambda key: key[1])  # smaller modulus first
    return _encrypt(*second, _encrypt(*first, value))


def unwrap_session_key(
    encrypted: int, server_key: rsa.RSAPrivateKey, host_key: rsa.RSAPrivateKey, sid: bytes
) -> bytes:
    """Server side: undo both RSA layers (larger modulus first) and the session id XOR.

    Never raises on hostile input: whatever cannot be decrypted becomes a random key, so the
    client cannot tell a bad session key from a good one until its packets fail the CRC.
    """
    server_n = server_key.public_key().public_numbers().n
    host_n = host_key.public_key().public_numbers().n
    order = (server_key, host_key) if server_n > host_n else (host_key, server_key)
    value = encrypted
    try:
        for rsa_key in order:
            size = (rsa_key.key_size + 7) // 8
            plain = rsa_key.decrypt(value.to_bytes(size, "big"), padding.PKCS1v15())
            value = int.from_bytes(plain, "big")
    except (ValueError, OverflowError):
        value = int.from_bytes(os.urandom(SESSION_KEY_SIZE), "big")
    value &= (1 << (8 * SESSION_KEY_SIZE)) - 1
    key = bytearray(value.to_bytes(SESSION_KEY_SIZE, "big"))
    for i in range(16):
        key[i] ^= sid[i]
    return bytes(key)


def make_challenge() -> bytes:
    """32 random bytes for RSA authentication (sshd: a 256-bit random number)."""
    return os.urandom(32)


def encrypt_challenge(challenge: bytes, e: int, n: int) -> int:
    """The integer sent in SSH_SMSG_AUTH_RSA_CHALLENGE."""
    return _encrypt(e, n, int.from_bytes(challenge, "big"))


def challenge_response(challenge: bytes, sid: bytes) -> bytes:
    """MD5(challenge as 32 bytes || session id): what the client must answer."""
    return hashlib.md5(challenge.rjust(32, b"\0")[-32:] + sid).digest()


def decrypt_challenge(encrypted: int, key: rsa.RSAPrivateKey) -> bytes:
    """Client side: recover the 32-byte challenge (left-padded with zeros)."""
    size = (key.key_size + 7) // 8
    plain = key.decrypt(encrypted.to_bytes(size, "big"), padding.PKCS1v15())
    return int.from_bytes(plain, "big").to_bytes(32, "big") if len(plain) <= 32 else plain[-32:]
