"""`display snmp-agent sys-info`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.tree import CommandSet
from agent.features.snmp_agent import render

COMMANDS = CommandSet()


@COMMANDS.display("display snmp-agent sys-info [contact|location|version]")
def d_snmp_sys_info(ctx: Ctx) -> None:
    which = next((w for w in ("contact", "location", "version") if ctx.has(w)), None)
    ctx.print(*render.snmp_sys_info(ctx.device, which))
