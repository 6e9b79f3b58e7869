"""``switch-agent lab --known-hosts FILE``: the lab's host keys as an OpenSSH known_hosts.

A push to a fresh lab can then check host keys strictly from the very first contact
(``fleet --host-key-policy strict --known-hosts FILE``) instead of trusting first use.

Host keys are otherwise made lazily on a device's first login (a lab of 1,000 devices starts in
about a second); writing this file needs one key per device now, so each device gets the
cheapest key its profile offers (Ed25519 when offered, else ECDSA, else RSA), made on a thread
pool once the devices have started (:class:`KeyMaker`; a device's start clears temporary files
from its key folder, so the two must not overlap) and stored in the device's key folder, where
the device finds it at its first login. SSH1-only devices get their RSA host key as an RSA1
line, as ``ssh1`` keeps it. Existing keys are read, never replaced. The file's entries for these
addresses are replaced; other lines stay.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from agent.fleet.hostkeys import KnownHosts, host_pattern, rsa1_line
from agent.lab.plan import DeviceSlot
from agent.profiles.model import Profile

# Offered host key algorithm -> the device key store's kind, cheapest first.
_KINDS = (("ssh-ed25519", "ed25519"), ("ecdsa-sha2-nistp256", "ecdsa"),
          ("rsa-sha2-512", "rsa"), ("rsa-sha2-256", "rsa"), ("ssh-rsa", "rsa"))


def _public(slot: DeviceSlot, profile: Profile) -> str:
    """The device's public host key as known_hosts writes it after the name."""
    from agent.keys.store import HostKeyStore

    ssh = profile.ssh
    store = HostKeyStore(slot.state_dir, ssh.host_key_rsa_bits)
    if ssh.ssh1_only:
        numbers = store.rsa_private_key.public_key().public_numbers()
        return rsa1_line("", numbers.e, numbers.n).strip()
    kind = next(k for alg, k in _KINDS if alg in ssh.algorithms.host_key)
    public = store.get(kind).private_key.public_key()  # type: ignore[attr-defined]
    return str(public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode())


class KeyMaker:
    """Makes (or reads) one host key per device on a thread pool from construction on."""

    def __init__(self, slots: list[DeviceSlot]) -> None:
        from agent.profiles import load_profile

        profiles = {p: load_profile(p) for p in {s.profile for s in slots}}
        self.slots = slots
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="hostkeys")
        self._keys = [self._pool.submit(_public, slot, profiles[slot.profile]) for slot in slots]

    def write(self, path: Path) -> None:
        """Wait for the keys and write their lines under each device's bound address."""
        try:
            lines = [f"{host_pattern(slot.host, slot.port)} {key.result()}"
                     for slot, key in zip(self.slots, self._keys, strict=True)]
        finally:
            self._pool.shutdown(wait=True)
        KnownHosts(path, "tofu").write_entries(lines)
