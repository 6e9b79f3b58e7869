"""Algorithm registries, one table per kind: name -> implementation.

A negotiation is a function of two name-lists (see :mod:`agent.ssh2.negotiation`) and adding
an algorithm is one entry in one of these tables.
"""

from __future__ import annotations

from agent.ssh2.algorithms.cipher import CIPHERS, CipherSpec
from agent.ssh2.algorithms.compression import COMPRESSIONS, CompressionSpec
from agent.ssh2.algorithms.hostkey import HOST_KEY_ALGORITHMS, SERVER_HOST_KEY_NAMES, HostKeyAlgorithm
from agent.ssh2.algorithms.kex import KEX_METHODS, KexSpec
from agent.ssh2.algorithms.mac import MACS, MacSpec

REGISTRIES: dict[str, dict[str, object]] = {
    "kex": KEX_METHODS,  # type: ignore[dict-item]
    "host_key": {name: HOST_KEY_ALGORITHMS[name] for name in SERVER_HOST_KEY_NAMES},
    "cipher": CIPHERS,  # type: ignore[dict-item]
    "mac": MACS,  # type: ignore[dict-item]
    "compression": COMPRESSIONS,  # type: ignore[dict-item]
}


def registry_for(kind: str) -> dict[str, object]:
    return REGISTRIES[kind]


__all__ = [
    "CIPHERS",
    "COMPRESSIONS",
    "HOST_KEY_ALGORITHMS",
    "KEX_METHODS",
    "MACS",
    "CipherSpec",
    "CompressionSpec",
    "HostKeyAlgorithm",
    "KexSpec",
    "MacSpec",
    "registry_for",
]
