"""How the fleet's config diff treats a feature's lines: the rules each feature declares.

Each feature package may have a ``diff.py`` with ``RULES = DiffRules(...)``: which of its lines
set a single-valued attribute (setting a new value replaces the old one; the ``undo`` takes no
value) and which are objects keyed by a name (``ip host NAME IP``: one entry per NAME, removed
with ``undo ip host NAME``). agent/fleet/configdiff.py merges every feature's rules.

This module and the ``diff.py`` files import nothing of the emulator: the fleet controller uses
them without the device or the CLI (the import-linter contracts in pyproject.toml say so).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cache

_FEATURES_PACKAGE = "agent.features"


@dataclass(frozen=True)
class Keyed:
    """Lines matching ``pattern`` set one object named by its first group; ``family`` ("ssh user {}") names it."""

    pattern: str
    family: str

    def family_of(self, line: str) -> str | None:
        match = re.match(self.pattern, line)
        return self.family.format(match.group(1)) if match else None

    def is_family(self, target: str) -> bool:
        return re.fullmatch(re.escape(self.family).replace(r"\{\}", r"\S+"), target) is not None


@dataclass(frozen=True)
class DiffRules:
    single: tuple[str, ...] = ()  # single-valued attributes, by the words before the value
    keyed: tuple[Keyed, ...] = ()


@cache
def feature_rules() -> DiffRules:
    """Every feature's rules merged (single-valued prefixes longest first)."""
    single: set[str] = set()
    keyed: list[Keyed] = []
    package = importlib.import_module(_FEATURES_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"{_FEATURES_PACKAGE}.{info.name}.diff")
        except ModuleNotFoundError as exc:
            if exc.name != f"{_FEATURES_PACKAGE}.{info.name}.diff":
                raise
            continue  # a feature without lines of its own to compare (save/reboot)
        rules = module.RULES
        if not isinstance(rules, DiffRules):
            raise TypeError(f"{module.__name__}.RULES is not a DiffRules")
        single.update(rules.single)
        keyed.extend(rules.keyed)
    return DiffRules(tuple(sorted(single, key=len, reverse=True)), tuple(keyed))
