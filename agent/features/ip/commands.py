"""IP addresses on VLAN interfaces."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.tree import CommandSet

COMMANDS = CommandSet()


@COMMANDS.command("vlanif", "ip address <ip:ip> <mask:mask>", level=2)
def ip_address(ctx: Ctx) -> None:
    vif = ctx.device.vlan_interfaces[int(ctx.view.key[14:])]
    vif.ip, vif.mask = ctx.args["ip"], ctx.args["mask"]
    ctx.changed("interfaces")


@COMMANDS.command("vlanif", "undo ip address [<ip:ip> <mask:mask>]", level=2)
def undo_ip_address(ctx: Ctx) -> None:
    vif = ctx.device.vlan_interfaces[int(ctx.view.key[14:])]
    if "ip" in ctx.args and ctx.args["ip"] != vif.ip:
        raise CommandError(" Error: The IP address does not exist.")
    vif.ip = vif.mask = None
    ctx.changed("interfaces")
