"""VLANs: `vlan`, its name, description and access ports."""

from __future__ import annotations

from agent.cli.context import Ctx, View
from agent.cli.errors import CommandError, WrongParameter
from agent.cli.tree import CommandSet
from agent.device.model import Port, Vlan

COMMANDS = CommandSet()


@COMMANDS.command("system", "vlan <vid:int:1-4094>", level=2)
def vlan(ctx: Ctx) -> None:
    vid = ctx.args["vid"]
    ctx.device.vlans.setdefault(vid, Vlan(vid))
    ctx.view = View("vlan", vid)
    ctx.changed("vlans")


@COMMANDS.command("system", "vlan <first:int:1-4094> to <last:int:1-4094>", level=2)
def vlan_range(ctx: Ctx) -> None:
    first, last = sorted((ctx.args["first"], ctx.args["last"]))
    for vid in range(first, last + 1):
        ctx.device.vlans.setdefault(vid, Vlan(vid))
    ctx.changed("vlans")


@COMMANDS.command("system", "undo vlan <vid:int:1-4094>", level=2)
def undo_vlan(ctx: Ctx) -> None:
    vid = ctx.args["vid"]
    if vid == 1:
        raise CommandError(" Error: The default VLAN can not be deleted.")
    if ctx.device.vlans.pop(vid, None) is None:
        raise CommandError(f" Error: VLAN {vid} does not exist.")
    for port in ctx.device.ports.values():
        if port.access_vlan == vid:
            port.access_vlan = 1
    ctx.changed("vlans")


@COMMANDS.command("vlan", "name <text:text:1-32>", level=2)
def vlan_name(ctx: Ctx) -> None:
    ctx.device.vlans[ctx.view.key].name = ctx.args["text"]
    ctx.changed("vlans")


@COMMANDS.command("vlan", "undo name", level=2)
def undo_vlan_name(ctx: Ctx) -> None:
    ctx.device.vlans[ctx.view.key].name = None
    ctx.changed("vlans")


@COMMANDS.command("vlan", "description <text:text:1-80>", level=2)
def vlan_description(ctx: Ctx) -> None:
    ctx.device.vlans[ctx.view.key].description = ctx.args["text"]
    ctx.changed("vlans")


@COMMANDS.command("vlan", "undo description", level=2)
def undo_vlan_description(ctx: Ctx) -> None:
    ctx.device.vlans[ctx.view.key].description = None
    ctx.changed("vlans")


def _port_range(ctx: Ctx) -> list[Port]:
    ports = list(ctx.device.ports.values())
    first = ctx.device.ports[ctx.args["if"]]
    last = ctx.device.ports[ctx.args.get("if2", first.name)]
    if last.kind != first.kind or last.slot != first.slot or last.index < first.index:
        raise WrongParameter("if2")
    return [p for p in ports if p.kind == first.kind and p.slot == first.slot and first.index <= p.index <= last.index]


@COMMANDS.command("vlan", ["port <if:port> [to <if2:port>]", "undo port <if:port> [to <if2:port>]"], level=2)
def vlan_port(ctx: Ctx) -> None:
    vid = ctx.view.key
    ports = _port_range(ctx)
    for port in ports:
        if port.link_type != "access":
            raise CommandError(f" Error: {port.name} is not an access port.")
    for port in ports:
        if ctx.undo:
            if port.access_vlan == vid:
                port.access_vlan = 1
        else:
            port.access_vlan = vid
    ctx.changed("interfaces")
