"""`clock timezone NAME add|minus HH:MM:SS` and `undo clock timezone` (user view, as on Comware 5).

The command is also accepted in system view, where the saved configuration is read back.
"""

from __future__ import annotations

import re

from agent.cli.context import Ctx
from agent.cli.errors import WrongParameter
from agent.cli.tree import CommandSet
from agent.features.clock_timezone.state import TimeZoneSetting

COMMANDS = CommandSet()
COMMANDS.describe(
    clock="Specify the system clock",
    timezone="Configure the local time zone",
    add="Add time zone offset to UTC",
    minus="Minus time zone offset to UTC",
)
_HELP = {"<zone>": "Name of the time zone (1 to 32 characters)", "<offset>": "HH:MM:SS, offset to UTC (up to 23:59:59)"}
_OFFSET = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$")
_VIEWS = ("user", "system")


def parse_offset(text: str) -> int | None:
    """``HH:MM[:SS]`` -> seconds, or None when it is not a time up to 23:59:59."""
    match = _OFFSET.match(text)
    if match is None:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


@COMMANDS.command(_VIEWS, "clock timezone <zone:word:1-32> {add|minus} <offset:word:1-8>", level=3, help=_HELP)
def clock_timezone(ctx: Ctx) -> None:
    offset = parse_offset(ctx.args["offset"])
    if offset is None:
        raise WrongParameter("offset")
    setting = ctx.device.state(TimeZoneSetting)
    setting.name = ctx.args["zone"]
    setting.offset_seconds = -offset if ctx.has("minus") else offset
    ctx.changed("clock")


@COMMANDS.command(_VIEWS, "undo clock timezone", level=3)
def undo_clock_timezone(ctx: Ctx) -> None:
    setting = ctx.device.state(TimeZoneSetting)
    setting.name, setting.offset_seconds = None, 0
    ctx.changed("clock")
