"""Peer public keys in the configuration, as Comware writes them (key code in 64-character lines)."""

from __future__ import annotations

from agent.cli.family import Section
from agent.device.device import Device
from agent.keys import pubkeys


def peer_keys(device: Device) -> list[Section]:
    out: list[Section] = []
    for name in sorted(device.peer_keys):
        code = pubkeys.to_code(device.peer_keys[name].key)
        out.append(
            [f" public-key peer {name}", "  public-key-code begin"]
            + [f"   {chunk}" for chunk in pubkeys.code_lines(code)]
            + ["  public-key-code end", " peer-public-key end"]
        )
    return out
