"""The configured time zone of one device (factory default: none, the clock shows UTC)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TimeZoneSetting:
    name: str | None = None
    offset_seconds: int = 0  # east of UTC; negative for `minus`
