"""The regular expressions of output filters (``| include``, ``| exclude``, ``| begin``), on RE2.

Any user of level 1 can type a filter, and every device of a lab shares one event loop, so a
pattern must never run long: Python's backtracking ``re`` took 2.2 s for ``(a+)+$``-style
patterns. RE2 (``google-re2``) matches in time linear in the text, whatever the pattern, and
covers what Comware's filters use (``. * + ? ^ $ [] () |``, ranges, alternation); what RE2
refuses (back-references, look-around, none of them Comware syntax) is a bad parameter.
Compiled patterns are cached: pollers repeat the same few filters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a bad pattern is the user's error, answered on the CLI, not logged
_OPTIONS.max_mem = 8 << 20  # per compiled pattern (RE2's default); a bigger one fails to compile


class BadPattern(ValueError):
    """The pattern is not a regular expression RE2 accepts."""


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> Callable[[str], object]:
    try:
        return re2.compile(pattern, options=_OPTIONS).search  # type: ignore[no-any-return]
    except re2.error as exc:
        raise BadPattern(str(exc)) from None


def apply_filter(lines: list[str], mode: str, pattern: str) -> list[str]:
    """The lines ``mode`` (include / exclude / begin) keeps for ``pattern``."""
    search = _compile(pattern)
    if mode == "include":
        return [x for x in lines if search(x)]
    if mode == "exclude":
        return [x for x in lines if not search(x)]
    for i, line in enumerate(lines):
        if search(line):
            return lines[i:]
    return []
