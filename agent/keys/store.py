"""Host key store: generated on first start in ``state_dir/keys``, loaded (once) on every later start.

Keys are written in OpenSSH's private key format with mode 0600 so that ``ssh-keygen -l -f``
shows the same fingerprints the clients print. Loading keys once per device (not per login)
matters: parsing and checking an RSA key costs more than a whole Ed25519 handshake.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from agent.files import atomic_write_bytes
from agent.ssh2.algorithms.hostkey import HostKey, host_key_from_private

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

_FILES = {
    "ed25519": "ssh_host_ed25519_key",
    "ecdsa": "ssh_host_ecdsa_key",
    "rsa": "ssh_host_rsa_key",
}


def _write_private(path: Path, key: PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    atomic_write_bytes(path, pem, mode=0o600)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    atomic_write_bytes(path.with_name(path.name + ".pub"), public + b"\n")


def _generate(kind: str, rsa_bits: int) -> PrivateKey:
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)


class HostKeyStore:
    """The device's host keys, by kind (``ed25519``, ``ecdsa``, ``rsa``).

    Keys are loaded or generated on first use, not at construction: a lab of 1,000 devices
    starts in seconds, and an RSA key (the slow one to generate) is made only when a client
    first negotiates an RSA host key or speaks SSH1.
    """

    def __init__(self, state_dir: Path | None, rsa_bits: int = 2048) -> None:
        self.directory = Path(state_dir) / "keys" if state_dir is not None else None
        self.rsa_bits = rsa_bits
        self._lock = threading.Lock()
        self._keys: dict[str, HostKey] = {}
        self._destroyed: set[str] = set()
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            if (self.directory / "destroyed-rsa").exists():
                self._destroyed.add("rsa")

    def _load_or_create(self, kind: str) -> PrivateKey:
        if self.directory is None:
            return _generate(kind, self.rsa_bits)
        path = self.directory / _FILES[kind]
        if path.is_file():
            key = serialization.load_ssh_private_key(path.read_bytes(), password=None)
            return key  # type: ignore[return-value]
        key = _generate(kind, self.rsa_bits)
        _write_private(path, key)
        return key

    def get(self, kind: str) -> HostKey:
        key = self._keys.get(kind)
        if key is None:
            if kind in self._destroyed or kind not in _FILES:
                raise KeyError(kind)
            with self._lock:
                key = self._keys.get(kind)
                if key is None:
                    key = host_key_from_private(self._load_or_create(kind))
                    self._keys[kind] = key
        return key

    def all_loaded(self) -> bool:
        """Every key this device offers is in memory (no generation or file read left for a login)."""
        return all(kind in self._keys for kind in self.kinds())

    def load_all(self) -> None:
        """Create or load every key now (``serve`` does this so the first login is not slower)."""
        for kind in self.kinds():
            self.get(kind)

    @property
    def rsa_private_key(self) -> rsa.RSAPrivateKey:
        """The RSA host key, also the SSH1 host key."""
        return self.get("rsa").private_key  # type: ignore[return-value]

    def regenerate_rsa(self, bits: int) -> None:
        """Replace the RSA host key (``public-key local create rsa``); new connections use it at once."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        with self._lock:
            if self.directory is not None:
                _write_private(self.directory / _FILES["rsa"], key)
                (self.directory / "destroyed-rsa").unlink(missing_ok=True)
            self._destroyed.discard("rsa")
            self._keys["rsa"] = host_key_from_private(key)

    def destroy_rsa(self) -> None:
        """``public-key local destroy rsa``: a later create makes a new one; until then RSA is not offered."""
        with self._lock:
            self._keys.pop("rsa", None)
            self._destroyed.add("rsa")
            if self.directory is not None:
                for name in (_FILES["rsa"], _FILES["rsa"] + ".pub"):
                    (self.directory / name).unlink(missing_ok=True)
                (self.directory / "destroyed-rsa").touch()

    def has(self, kind: str) -> bool:
        return kind in _FILES and kind not in self._destroyed

    def kinds(self) -> list[str]:
        return [kind for kind in _FILES if kind not in self._destroyed]
