"""`display ip interface [brief]`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.tree import CommandSet
from agent.features.ip import render

COMMANDS = CommandSet()


@COMMANDS.display(["display ip interface", "display ip interface brief"])
def d_ip_interface(ctx: Ctx) -> None:
    ctx.print(*(render.ip_interface_brief(ctx.device) if ctx.has("brief") else render.ip_interface(ctx.device)))
