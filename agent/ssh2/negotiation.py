"""KEXINIT encoding and algorithm negotiation (RFC 4253 7.1).

For every list the chosen algorithm is the first one in the *client's* list that the server
also offers. The outcome is a plain value object so the transport, logs and
``display ssh server session`` all read the same thing.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms import CIPHERS, KEX_METHODS
from agent.ssh2.constants import KEX_PSEUDO, MSG_KEXINIT
from agent.wire import Reader, boolean, byte, name_list, uint32

FIELDS = (
    "kex",
    "host_key",
    "cipher_c2s",
    "cipher_s2c",
    "mac_c2s",
    "mac_s2c",
    "compression_c2s",
    "compression_s2c",
    "language_c2s",
    "language_s2c",
)


@functools.lru_cache(maxsize=256)
def _encoded_lists(
    kex: tuple[str, ...], host_key: tuple[str, ...], cipher: tuple[str, ...], mac: tuple[str, ...], compression: tuple[str, ...]
) -> bytes:
    """The ten name-lists of a KEXINIT, encoded once per distinct offer (devices share offers)."""
    fields = (kex, host_key, cipher, cipher, mac, mac, compression, compression, (), ())
    return b"".join(name_list(names) for names in fields)


@dataclass(frozen=True)
class KexInit:
    cookie: bytes
    lists: dict[str, list[str]]
    first_kex_packet_follows: bool
    payload: bytes  # the exact bytes (I_C / I_S in the exchange hash)

    @classmethod
    def build(
        cls,
        kex: list[str],
        host_key: list[str],
        cipher: list[str],
        mac: list[str],
        compression: list[str],
        *,
        cookie: bytes | None = None,
    ) -> KexInit:
        lists = {
            "kex": kex,
            "host_key": host_key,
            "cipher_c2s": cipher,
            "cipher_s2c": cipher,
            "mac_c2s": mac,
            "mac_s2c": mac,
            "compression_c2s": compression,
            "compression_s2c": compression,
            "language_c2s": [],
            "language_s2c": [],
        }
        cookie = cookie or os.urandom(16)
        body = _encoded_lists(tuple(kex), tuple(host_key), tuple(cipher), tuple(mac), tuple(compression))
        payload = byte(MSG_KEXINIT) + cookie + body + boolean(False) + uint32(0)
        return cls(cookie, lists, False, payload)

    @classmethod
    def parse(cls, payload: bytes) -> KexInit:
        """Decode a KEXINIT; ``lists`` is shared with other parses of the same lists: read it only.

        A client program sends the same ten name-lists on every connection (only the 16-byte
        cookie changes), so the decoded lists are remembered by the raw bytes after the cookie.
        """
        reader = Reader(payload, 1)
        cookie = reader.raw(16)
        tail = payload[17:]
        known = _PARSED.get(tail)
        if known is not None:
            return cls(cookie, known[0], known[1], payload)
        lists = {field: reader.name_list() for field in FIELDS}
        follows = reader.boolean()
        reader.uint32()
        if reader.remaining == 0:  # extra bytes are legal but vary: do not remember those
            if len(_PARSED) >= _CACHE_SIZE:
                _PARSED.clear()
            _PARSED[tail] = (lists, follows)
        return cls(cookie, lists, follows, payload)


_CACHE_SIZE = 256
_PARSED: dict[bytes, tuple[dict[str, list[str]], bool]] = {}
_NEGOTIATED: dict[tuple[bytes, bytes, tuple[str, ...] | None], Negotiated] = {}


@dataclass(frozen=True)
class Negotiated:
    kex: str
    host_key: str
    cipher_c2s: str
    cipher_s2c: str
    mac_c2s: str
    mac_s2c: str
    compression_c2s: str
    compression_s2c: str

    def summary(self) -> str:
        mac = self.mac_c2s if not CIPHERS[self.cipher_c2s].has_integrity else "(aead)"
        return f"kex={self.kex} hostkey={self.host_key} cipher={self.cipher_c2s} mac={mac} comp={self.compression_c2s}"


def _choose(field: str, client: list[str], server: list[str], *, required: bool = True) -> str:
    offered = set(server)
    for name in client:
        if name in offered and name not in KEX_PSEUDO:
            return name
    if not required:
        return ""
    raise ProtocolError(
        f"no matching {field.replace('_', ' ')}: client offers [{','.join(client)}], "
        f"server offers [{','.join(server)}]",
        DisconnectReason.KEY_EXCHANGE_FAILED,
    )


def negotiate(client: KexInit, server: KexInit, usable_host_keys: list[str] | None = None) -> Negotiated:
    """Apply RFC 4253 7.1; a MAC is not required for a direction whose cipher is AEAD.

    The outcome depends on the two offers only, so it is remembered by their encoded lists
    (the payloads without type byte and cookie) and the usable host keys; a failed
    negotiation is never remembered.
    """
    key = (client.payload[17:], server.payload[17:], tuple(usable_host_keys) if usable_host_keys is not None else None)
    known = _NEGOTIATED.get(key)
    if known is not None:
        return known
    result = _negotiate(client, server, usable_host_keys)
    if len(_NEGOTIATED) >= _CACHE_SIZE:
        _NEGOTIATED.clear()
    _NEGOTIATED[key] = result
    return result


def _negotiate(client: KexInit, server: KexInit, usable_host_keys: list[str] | None) -> Negotiated:
    c, s = client.lists, server.lists
    kex = _choose("kex", c["kex"], s["kex"])
    host_key = _choose("host_key", c["host_key"], usable_host_keys if usable_host_keys is not None else s["host_key"])
    cipher_c2s = _choose("cipher_c2s", c["cipher_c2s"], s["cipher_c2s"])
    cipher_s2c = _choose("cipher_s2c", c["cipher_s2c"], s["cipher_s2c"])
    mac_c2s = _choose("mac_c2s", c["mac_c2s"], s["mac_c2s"], required=not CIPHERS[cipher_c2s].has_integrity)
    mac_s2c = _choose("mac_s2c", c["mac_s2c"], s["mac_s2c"], required=not CIPHERS[cipher_s2c].has_integrity)
    comp_c2s = _choose("compression_c2s", c["compression_c2s"], s["compression_c2s"])
    comp_s2c = _choose("compression_s2c", c["compression_s2c"], s["compression_s2c"])
    if kex not in KEX_METHODS:
        raise ProtocolError(f"kex {kex} not implemented", DisconnectReason.KEY_EXCHANGE_FAILED)
    return Negotiated(kex, host_key, cipher_c2s, cipher_s2c, mac_c2s, mac_s2c, comp_c2s, comp_s2c)


def guess_was_right(client: KexInit, server: KexInit, negotiated: Negotiated) -> bool:
    """RFC 4253 7 / OpenSSH ``proposals_match``; dropbear's kexguess2 relaxes it to the kex alone."""
    c, s = client.lists, server.lists
    if "kexguess2@matt.ucc.asn.au" in c["kex"] and "kexguess2@matt.ucc.asn.au" in s["kex"]:
        return bool(c["kex"]) and c["kex"][0] == negotiated.kex
    return (
        bool(c["kex"])
        and bool(s["kex"])
        and c["kex"][0] == s["kex"][0]
        and bool(c["host_key"])
        and bool(s["host_key"])
        and c["host_key"][0] == s["host_key"][0]
    )
