"""SNMPv3 USM keys as Comware keeps them: localized to the agent's engine ID, never in clear.

`snmp-agent usm-user v3 USER GROUP authentication-mode sha PASSWORD ...` used to be stored (and
shown by `display current-configuration`, and saved in the state folder) with the passwords as
typed. Comware saves every USM key in cipher text: the key localized to the local engine ID
(RFC 3414 A.2), in hex, after the `cipher` keyword -- what `snmp-agent calculate-password`
prints. The CLI turns a plain-text user into that form before it is stored; a `cipher` line
(a saved configuration, a paste) is kept as it is. The localization is pysnmp's own (its auth
and privacy services), so the agent's check of a request uses exactly these keys.

Sits below the CLI and the SNMP agent (both use it); imports neither.
"""

from __future__ import annotations

from typing import Any

from pysnmp.entity import config
from pysnmp.proto.rfc1902 import OctetString

ENTERPRISE_3COM = 43
AUTH_PROTOCOLS: dict[str, Any] = {
    "md5": config.USM_AUTH_HMAC96_MD5,
    "sha": config.USM_AUTH_HMAC96_SHA,
    "sha256": config.USM_AUTH_HMAC192_SHA256,
}
PRIV_PROTOCOLS: dict[str, Any] = {
    "aes128": config.USM_PRIV_CFB128_AES,
    "des56": config.USM_PRIV_CBC56_DES,
    "3des": config.USM_PRIV_CBC168_3DES,
}
AUTH_MODES = {"md5": "md5", "sha": "sha", "sha1": "sha", "sha256": "sha256", "sha-256": "sha256", "sha2-256": "sha256"}
PRIV_MODES = {"aes128": "aes128", "aes": "aes128", "des56": "des56", "des": "des56", "3des": "3des"}


def engine_id(mac: str) -> bytes:
    """RFC 3411 engine ID, enterprise 43 (3Com), MAC-address format, from the bridge MAC ``xxxx-xxxx-xxxx``."""
    return bytes([0x80, 0x00, 0x00, ENTERPRISE_3COM, 0x03]) + bytes.fromhex(mac.replace("-", ""))


def localized_auth_key(auth: str, password: str, engine: bytes) -> str:
    """The authentication key for ``password`` localized to ``engine`` (hex)."""
    service = config.AUTH_SERVICES[AUTH_PROTOCOLS[auth]]
    master = service.hash_passphrase(OctetString(password.encode("utf-8")))
    return bytes(service.localize_key(master, OctetString(engine))).hex()


def localized_priv_key(auth: str, priv: str, password: str, engine: bytes) -> str:
    """The privacy key for ``password`` localized to ``engine`` with the user's auth hash (hex)."""
    auth_protocol = AUTH_PROTOCOLS[auth]
    service = config.PRIV_SERVICES[PRIV_PROTOCOLS[priv]]
    master = service.hash_passphrase(auth_protocol, OctetString(password.encode("utf-8")))
    return bytes(service.localize_key(auth_protocol, master, OctetString(engine))).hex()


def cipher_form(arguments: str, engine: bytes) -> str:
    """A plain-text ``v3 USER GROUP [authentication-mode A KEY [privacy-mode P KEY]] [acl N]``
    argument string in Comware's stored form: ``cipher`` and localized keys. Anything else (a
    ``cipher`` line already, a form this device does not serve) comes back unchanged."""
    words = arguments.split()
    if len(words) < 4 or words[0].lower() != "v3" or words[3].lower() == "cipher":
        return arguments
    out = words[:3] + ["cipher"]
    auth = None
    i = 3
    while i < len(words):
        word = words[i].lower()
        if word == "authentication-mode" and i + 2 < len(words) and words[i + 1].lower() in AUTH_MODES:
            auth = AUTH_MODES[words[i + 1].lower()]
            out += [words[i], words[i + 1], localized_auth_key(auth, words[i + 2], engine)]
            i += 3
        elif word == "privacy-mode" and auth and i + 2 < len(words) and words[i + 1].lower() in PRIV_MODES:
            priv = PRIV_MODES[words[i + 1].lower()]
            out += [words[i], words[i + 1], localized_priv_key(auth, priv, words[i + 2], engine)]
            i += 3
        elif word == "acl" and i + 1 < len(words):
            out += words[i : i + 2]
            i += 2
        else:
            return arguments  # not a form we can convert: the agent skips it as before
    return " ".join(out) if auth else arguments
