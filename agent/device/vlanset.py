"""VLAN sets as integer bit masks.

A trunk port may permit all 4094 VLANs; a Python ``set`` of that size costs ~130 KB, and a lab
holds hundreds of ports per device and a thousand devices. An ``int`` whose bit *n* means
"VLAN n" costs ~560 bytes at worst and keeps set algebra (``|``, ``&``, ``~``) cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

MIN_VLAN = 1
MAX_VLAN = 4094
ALL_VLANS = ((1 << (MAX_VLAN + 1)) - 1) ^ 1  # bits 1..4094


def range_mask(first: int, last: int) -> int:
    """Mask of the inclusive range ``first..last``."""
    if last < first:
        first, last = last, first
    return ((1 << (last + 1)) - 1) ^ ((1 << first) - 1)


def iter_vlans(mask: int) -> Iterator[int]:
    """VLAN ids in ascending order."""
    vlan = 0
    while mask:
        if mask & 1:
            yield vlan
        mask >>= 1
        vlan += 1


def ranges(mask: int) -> list[tuple[int, int]]:
    """Contiguous (first, last) runs in ascending order."""
    runs: list[tuple[int, int]] = []
    start = prev = -2
    for vlan in iter_vlans(mask):
        if vlan != prev + 1:
            if start >= 0:
                runs.append((start, prev))
            start = vlan
        prev = vlan
    if start >= 0:
        runs.append((start, prev))
    return runs


def config_items(mask: int) -> list[str]:
    """Comware configuration tokens for a VLAN list: ``["2 to 4094", "10"]``."""
    return [str(a) if a == b else f"{a} to {b}" for a, b in ranges(mask)]


def display_list(mask: int) -> str:
    """The ``display interface`` style: ``1-3, 10``."""
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges(mask))


def parse_items(words: list[str]) -> int:
    """Parse ``10 20 to 30 40`` into a mask; ValueError on a misplaced ``to`` or bad number."""
    mask = 0
    i = 0
    while i < len(words):
        first = int(words[i])
        if not MIN_VLAN <= first <= MAX_VLAN:
            raise ValueError(words[i])
        if i + 2 < len(words) and words[i + 1] == "to":
            last = int(words[i + 2])
            if not first <= last <= MAX_VLAN:
                raise ValueError(words[i + 2])
            mask |= range_mask(first, last)
            i += 3
        else:
            if i + 1 < len(words) and words[i + 1] == "to":
                raise ValueError("to")
            mask |= 1 << first
            i += 1
    return mask
