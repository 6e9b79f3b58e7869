"""OS families: the command language a device runs, picked by its profile.

A family (Comware 5 today) is a set of features plus the tables that differ between Comware
releases. :func:`load_device` is how a device is built: the profile names its family, the
family is handed to the device as its CLI (the device never imports the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agent.cli.family import Family
from agent.device.device import Device
from agent.family.comware5 import COMWARE5
from agent.profiles.model import LabUser, Profile

FAMILIES: dict[str, Family] = {COMWARE5.name: COMWARE5}


def family_for(profile: Profile) -> Family:
    """The family named by the profile (``os_family``, default ``comware5``)."""
    name = profile.os_family
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown OS family {name!r} (known: {', '.join(sorted(FAMILIES))})") from None


def load_device(profile: Profile, state_dir: Path | str, extra_users: Iterable[LabUser] = ()) -> Device:
    """The device of ``profile`` from its saved configuration (or the profile on first start)."""
    family = family_for(profile)
    _ = family.tree  # built now, at start-up (before serve and lab freeze their heap), not in a first command
    return Device.load(profile, state_dir, extra_users, cli=family)


__all__ = ["FAMILIES", "Family", "family_for", "load_device"]
