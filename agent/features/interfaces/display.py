"""`display interface [brief]` and `display mac-address`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.tree import CommandSet
from agent.features.interfaces import render

COMMANDS = CommandSet()


@COMMANDS.display(["display interface [<if:iface>]", "display interface brief"])
def d_interface(ctx: Ctx) -> None:
    if ctx.has("brief"):
        ctx.print(*render.interface_brief(ctx.device))
        return
    name = ctx.args.get("if")
    if name is not None and name.startswith("Vlan-interface") and int(name[14:]) not in ctx.device.vlan_interfaces:
        raise CommandError(" Error: The interface does not exist.")
    ctx.print(*render.interfaces(ctx.device, name))


@COMMANDS.display("display mac-address")
def d_mac(ctx: Ctx) -> None:
    ctx.print(*render.mac_table(ctx.device))
