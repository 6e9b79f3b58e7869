"""`display vlan [all|brief|VID]`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.tree import CommandSet
from agent.features.vlan import render

COMMANDS = CommandSet()


@COMMANDS.display("display vlan [all|brief|<vid:int:1-4094>]")
def d_vlan(ctx: Ctx) -> None:
    device = ctx.device
    if ctx.has("all"):
        ctx.print(*render.vlan_detail(device, sorted(device.vlans)))
    elif ctx.has("brief"):
        ctx.print(*render.vlan_brief(device))
    elif "vid" in ctx.args:
        if ctx.args["vid"] not in device.vlans:
            raise CommandError(" Error: The VLAN does not exist.")
        ctx.print(*render.vlan_detail(device, [ctx.args["vid"]]))
    else:
        ctx.print(*render.vlan_summary(device))
