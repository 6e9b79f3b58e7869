"""Local-user password hashing.

Passwords are kept (and written to the configuration) only as salted PBKDF2-HMAC-SHA256
hashes in the form ``$h$<iterations>$<salt>$<digest>``. The iteration count is deliberately
small (one check costs ~0.2 ms): a lab authenticates thousands of logins per second and the
hash only has to keep plain text out of saved files, not resist an offline attack.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

PREFIX = "$h$"
ITERATIONS = 1000
_DUMMY = f"{PREFIX}{ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def hash_password(password: bytes | str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """Hash ``password`` with a fresh 16-byte salt."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password, salt, iterations)
    return f"{PREFIX}{iterations}${_b64(salt)}${_b64(digest)}"


def is_hash(text: str) -> bool:
    """True if ``text`` is a well-formed hash this module wrote."""
    return _split(text) is not None


def _split(text: str) -> tuple[int, bytes, bytes] | None:
    if not text.startswith(PREFIX):
        return None
    parts = text[len(PREFIX) :].split("$")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    iterations = int(parts[0])
    if not 1 <= iterations <= 1_000_000:
        return None
    try:
        salt, digest = _unb64(parts[1]), _unb64(parts[2])
    except ValueError:
        return None
    if not salt or len(digest) != 32:
        return None
    return iterations, salt, digest


def verify_password(stored: str | None, password: bytes) -> bool:
    """Constant-work check: a missing or malformed ``stored`` hash still costs one PBKDF2 run."""
    parsed = _split(stored) if stored else None
    ok = parsed is not None
    iterations, salt, digest = parsed if parsed is not None else _split(_DUMMY)  # type: ignore[misc]
    candidate = hashlib.pbkdf2_hmac("sha256", password, salt, iterations)
    return hmac.compare_digest(candidate, digest) and ok


class VerifiedPasswords:
    """Remembers passwords that already verified, so a repeated good login skips PBKDF2.

    Labs and fleet pushes log in with the same credentials over and over; the hash cost then
    dominates a login (about 0.2 ms of the ~1 ms a connection costs). Entries are keyed by the
    stored hash (a changed password has a new salt, so old entries never match again) and hold
    a keyed BLAKE2b MAC of the password under a per-process random key, never the password
    itself. Wrong passwords and unknown users always pay one full PBKDF2 run, so they stay
    indistinguishable.
    """

    def __init__(self, limit: int = 65536) -> None:
        self._key = os.urandom(32)
        self._ok: dict[str, bytes] = {}
        self._limit = limit

    def verify(self, stored: str | None, password: bytes) -> bool:
        tag = hashlib.blake2b(password, key=self._key, digest_size=32).digest()  # a MAC, without OpenSSL's lookups
        if stored is not None:
            known = self._ok.get(stored)
            if known is not None and hmac.compare_digest(known, tag):
                return True
        ok = verify_password(stored, password)
        if ok and stored is not None:
            if len(self._ok) >= self._limit:
                self._ok.clear()
            self._ok[stored] = tag
        return ok


VERIFIED = VerifiedPasswords()
