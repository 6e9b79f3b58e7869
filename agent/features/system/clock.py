"""`display clock`: UTC unless a feature offers a time zone (the ``clock.zone`` extension point).

A feature that knows the zone (clock_timezone) provides a :data:`ZoneSource` under
:data:`CLOCK_ZONE` in its Feature; the first zone a source returns is shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agent.device.device import Device

CLOCK_ZONE = "clock.zone"


@dataclass(frozen=True)
class Zone:
    name: str
    offset_seconds: int  # east of UTC (Comware's `add`), negative west (`minus`)

    @property
    def clause(self) -> str:
        """``add 08:00:00`` / ``minus 05:30:00``, as Comware writes the offset."""
        size = abs(self.offset_seconds)
        sign = "add" if self.offset_seconds >= 0 else "minus"
        return f"{sign} {size // 3600:02d}:{size // 60 % 60:02d}:{size % 60:02d}"


UTC = Zone("UTC", 0)
ZoneSource = Callable[[Device], Zone | None]


def zone_of(device: Device, sources: Iterable[object]) -> Zone:
    for source in sources:
        if callable(source):
            found = source(device)
            if isinstance(found, Zone):
                return found
    return UTC


def clock_lines(zone: Zone, now: float | None = None) -> list[str]:
    local = time.gmtime((time.time() if now is None else now) + zone.offset_seconds)
    return [time.strftime(f"%H:%M:%S {zone.name.replace('%', '%%')} %a %m/%d/%Y", local), f"Time Zone : {zone.name} {zone.clause}"]
