"""`display public-key local rsa public` and `display public-key peer` layouts."""

from __future__ import annotations

import time

from cryptography.hazmat.primitives import serialization

from agent.device.device import Device
from agent.keys import pubkeys


def local_rsa_public(device: Device) -> list[str]:
    store = device.host_keys
    if not store.has("rsa"):
        return [" Error: The local-key-pair does not exist."]
    key = store.rsa_private_key.public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1).hex().upper()
    created = time.strftime("%H:%M:%S  %Y/%m/%d", time.localtime(device.boot_time))
    lines = ["", "=====================================================", f"Time of Key pair created: {created}",
             "Key name: HOST_KEY", "Key type: RSA Encryption Key",
             "=====================================================", "Key code:"]
    lines += [der[i : i + 64] for i in range(0, len(der), 64)]
    return lines


def peer_keys(device: Device) -> list[str]:
    lines = []
    for name in sorted(device.peer_keys):
        key = device.peer_keys[name].key
        code = pubkeys.to_code(key)
        kind = type(key).__name__.replace("_", "").replace("PublicKey", "")
        lines += ["", "=====================================", f"Key name : {name}", f"Key type : {kind}",
                  f"Key module: {getattr(key, 'key_size', 256)}", "=====================================", "Key Code:"]
        lines += pubkeys.code_lines(code)
    return lines
