"""The ephemeral SSH1 server key, shared by all connections of one device.

SSH1 wraps the session key with two RSA keys: the long-term host key and a "server key" that
the server regenerates periodically (OpenSSH ``KeyRegenerationInterval``, Comware
``ssh server rekey-interval``, 0 = never) to limit what a stolen host key reveals. Generating
a 1024-bit key costs tens of milliseconds, so it is done once per device and reused until
the interval passes, not per connection.

The two moduli must differ by at least 128 bits or SSH1 clients refuse the connection
("server key and host key too close"); like sshd, the cache grows the server key to
``host_bits + 128`` when the configured size is too close to the host key.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from agent.ssh1.messages import KEY_BITS_RESERVED

MIN_GENERATED_BITS = 1024  # cryptography refuses to generate smaller RSA keys


def server_key_bits(wanted: int, host_bits: int) -> int:
    """The size to generate: ``wanted`` (at least 1024) unless that is too close to the host key."""
    bits = max(wanted, MIN_GENERATED_BITS)
    if abs(bits - host_bits) < KEY_BITS_RESERVED:
        bits = host_bits + KEY_BITS_RESERVED
    return bits


class ServerKeyCache:
    """Hands out a device's current server key, regenerating it when its interval has passed.

    ``ServerKeyCache(device)`` reads the key size from ``device.profile.ssh.ssh1_server_key_bits``
    and the interval from ``device.ssh.rekey_interval_hours`` on every call, so configuration
    changes made through the CLI (``ssh server rekey-interval``) apply to the next connection.
    Without a device (tests, tools) ``bits`` and ``interval_hours`` give the values; each may be
    a number or a callable, and they override the device's when both are given.
    """

    def __init__(
        self,
        device: Any = None,
        *,
        bits: int | Callable[[], int] | None = None,
        interval_hours: int | Callable[[], int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        generate: Callable[[int], rsa.RSAPrivateKey] | None = None,
    ) -> None:
        device_ref = _weak(device) if device is not None else None
        self._bits = _setting(bits, device_ref, lambda d: d.profile.ssh.ssh1_server_key_bits, 1024)
        self._interval_hours = _setting(interval_hours, device_ref, lambda d: d.ssh.rekey_interval_hours, 0)
        self._clock = clock
        self._generate = generate or (
            lambda size: rsa.generate_private_key(public_exponent=65537, key_size=size)
        )
        self._lock = threading.Lock()
        self._key: rsa.RSAPrivateKey | None = None
        self._created = 0.0
        self.generations = 0

    @classmethod
    def for_device(cls, device: Any) -> ServerKeyCache:
        """The cache attached to ``device``: created on first use, dropped when the device is collected.

        Keyed by ``id`` (devices need not be hashable) with a finalizer that removes the entry.
        """
        with _DEVICE_CACHES_LOCK:
            cache = _DEVICE_CACHES.get(id(device))
            if cache is None:
                cache = cls(device)
                _DEVICE_CACHES[id(device)] = cache
                try:
                    weakref.finalize(device, _DEVICE_CACHES.pop, id(device), None)
                except TypeError:  # not weak-referenceable: the entry lives as long as the process
                    pass
            return cache

    def expires_at(self) -> float | None:
        """Monotonic time at which the current key will be replaced, or None (no key or no interval)."""
        hours = self._interval_hours()
        if self._key is None or hours <= 0:
            return None
        return self._created + hours * 3600.0

    def current(self, host_bits: int) -> rsa.RSAPrivateKey:
        """The key to offer now, next to a host key of ``host_bits`` bits."""
        with self._lock:
            now = self._clock()
            expiry = self.expires_at()
            key = self._key
            if (
                key is None
                or (expiry is not None and now >= expiry)
                or abs(key.key_size - host_bits) < KEY_BITS_RESERVED
            ):
                key = self._generate(server_key_bits(self._bits(), host_bits))
                self._key = key
                self._created = now
                self.generations += 1
            return key


_DEVICE_CACHES: dict[int, ServerKeyCache] = {}
_DEVICE_CACHES_LOCK = threading.Lock()


def _weak(device: Any) -> Callable[[], Any]:
    """A weak reference when possible, so a cache kept in a registry does not keep its device alive."""
    try:
        return weakref.ref(device)
    except TypeError:
        return lambda: device


def _setting(
    value: int | Callable[[], int] | None,
    device_ref: Callable[[], Any] | None,
    from_device: Callable[[Any], int],
    default: int,
) -> Callable[[], int]:
    if callable(value):
        return value
    if value is not None:
        return lambda: value
    if device_ref is not None:

        def read() -> int:
            device = device_ref()
            return int(from_device(device)) if device is not None else default

        return read
    return lambda: default
