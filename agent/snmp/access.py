"""Who may talk to the agent: communities, SNMPv3 USM users and enabled versions, from ``device.snmp``.

``snmp-agent usm-user`` lines are kept verbatim by the CLI; the Comware 5 syntax is::

    v3 USER GROUP [cipher] [authentication-mode {md5|sha|sha256} AUTH-PW
                           [privacy-mode {aes128|des56|3des} PRIV-PW]] [acl N]

With ``cipher`` the keys are localized to the agent's engine ID, in hex (agent.usm): the form
the CLI stores every user in, so no password is kept or shown in clear. ``sha256`` is accepted
as an extension (CW5 itself offers md5/sha).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from agent.usm import AUTH_MODES, PRIV_MODES

log = logging.getLogger(__name__)

VERSIONS = ("v1", "v2c", "v3")


@dataclass(frozen=True, slots=True)
class UsmUser:
    name: str
    group: str
    auth: str | None = None  # md5 / sha / sha256
    auth_key: str | None = None
    priv: str | None = None  # aes128 / des56 / 3des
    priv_key: str | None = None
    localized: bool = False  # `cipher`: the keys are localized keys in hex, not pass phrases

    @property
    def level(self) -> int:
        """1 noAuthNoPriv, 2 authNoPriv, 3 authPriv (the SNMP securityLevel numbers)."""
        return 3 if self.priv else 2 if self.auth else 1


def parse_usm_user(line: str) -> UsmUser | None:
    """One ``snmp-agent usm-user`` argument string -> UsmUser, or None when unusable."""
    words = line.split()
    if len(words) < 3 or words[0].lower() != "v3":
        return None  # v1/v2c usm-user forms map communities; not supported
    name, group, rest = words[1], words[2], words[3:]
    localized = bool(rest) and rest[0].lower() == "cipher"
    if localized:
        rest = rest[1:]
    auth = auth_key = priv = priv_key = None
    i = 0
    while i < len(rest):
        word = rest[i].lower()
        if word == "authentication-mode" and i + 2 < len(rest) and rest[i + 1].lower() in AUTH_MODES:
            auth, auth_key = AUTH_MODES[rest[i + 1].lower()], rest[i + 2]
            i += 3
        elif word == "privacy-mode" and i + 2 < len(rest) and rest[i + 1].lower() in PRIV_MODES:
            priv, priv_key = PRIV_MODES[rest[i + 1].lower()], rest[i + 2]
            i += 3
        elif word == "acl" and i + 1 < len(rest):
            i += 2
        else:
            log.warning("snmp usm-user %s: cannot parse %r; user skipped", name, " ".join(rest[i:]))
            return None
    if priv and not auth:
        return None
    if localized and not all(_is_hex(key) for key in (auth_key, priv_key) if key is not None):
        log.warning("snmp usm-user %s: cipher keys must be hexadecimal; user skipped", name)
        return None
    return UsmUser(name, group, auth, auth_key, priv, priv_key, localized)


def _is_hex(text: str) -> bool:
    try:
        return len(text) >= 16 and len(bytes.fromhex(text)) * 2 == len(text)
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Credentials:
    communities: tuple[tuple[str, str], ...]  # (name, "read"/"write")
    users: tuple[UsmUser, ...]
    versions: frozenset[str]


def credentials(device: Any, *, strict_versions: bool = False) -> Credentials:
    """The access configuration now.

    Comware 5 enables only SNMPv3 by default (``snmp-agent sys-info version`` not configured).
    An emulator is mostly polled with communities, so unless ``strict_versions`` is set that
    untouched default means every version; any explicitly configured list is honoured.
    """
    with device.lock:
        snmp = device.snmp
        communities = tuple(sorted(snmp.communities.items()))
        lines = list(snmp.usm_users)
        versions = list(snmp.versions)
    users = []
    seen = set()
    for line in lines:
        user = parse_usm_user(line)
        if user is not None and user.name not in seen:
            seen.add(user.name)
            users.append(user)
    if versions == ["v3"] and not strict_versions:
        versions = list(VERSIONS)
    return Credentials(communities, tuple(users), frozenset(versions))
