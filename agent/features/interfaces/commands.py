"""Ethernet ports (description, shutdown, link type, VLAN membership) and VLAN interfaces."""

from __future__ import annotations

from agent.cli.context import Ctx, View
from agent.cli.errors import CommandError, WrongParameter
from agent.cli.tree import CommandSet
from agent.device.model import Port, VlanInterface
from agent.device.vlanset import ALL_VLANS, parse_items

COMMANDS = CommandSet()

describe_words = {
    "vlan": "Configure VLAN",
    "interface": "Specify the interface",
    "name": "Specify a name",
    "description": "Describe the interface or VLAN",
    "port": "Configure ports",
    "to": "Range of interfaces",
    "shutdown": "Shut down this interface",
    "link-type": "Set port link type",
    "access": "Access link-type",
    "trunk": "Trunk link-type",
    "hybrid": "Hybrid link-type",
    "permit": "Allow VLANs",
    "all": "All",
    "pvid": "Set the default VLAN ID",
    "tagged": "Tagged VLAN",
    "untagged": "Untagged VLAN",
    "ip": "Specify IP configurations",
    "address": "Set the IP address of an interface",
    "<vid>": "VLAN ID",
    "<vlans>": "VLAN ID",
    "<text>": "Text",
    "<ip>": "IP address",
    "<mask>": "IP mask or mask length",
}
COMMANDS.describe(**describe_words)


def _vlan_exists(ctx: Ctx, vid: int) -> None:
    if vid not in ctx.device.vlans:
        raise CommandError(f" Error: VLAN {vid} does not exist.")


def _port(ctx: Ctx) -> Port:
    port = ctx.device.ports.get(ctx.view.key)
    if port is None:
        raise CommandError(" Error: This command is not supported on this interface.")
    return port


def _vlan_mask(ctx: Ctx, name: str = "vlans") -> int:
    if ctx.has("all"):
        return ALL_VLANS
    try:
        return parse_items(ctx.args[name])
    except (ValueError, KeyError):
        raise WrongParameter(name) from None


# ------------------------------------------------------------------ VLANs


# ------------------------------------------------------------------ interfaces
@COMMANDS.command("system", "interface <if:iface>", level=2)
def interface(ctx: Ctx) -> None:
    name = ctx.args["if"]
    if name.startswith("Vlan-interface"):
        vid = int(name[14:])
        if vid not in ctx.device.vlan_interfaces:
            ctx.device.vlan_interfaces[vid] = VlanInterface(vid)
            ctx.changed("interfaces")
        ctx.view = View("vlanif", name)
    else:
        ctx.view = View("interface", name)


@COMMANDS.command("system", "undo interface <if:iface>", level=2)
def undo_interface(ctx: Ctx) -> None:
    name = ctx.args["if"]
    if not name.startswith("Vlan-interface"):
        raise CommandError(" Error: This interface can not be deleted.")
    if ctx.device.vlan_interfaces.pop(int(name[14:]), None) is None:
        raise CommandError(" Error: The interface does not exist.")
    ctx.changed("interfaces")


@COMMANDS.command(("interface", "vlanif"), "description <text:text:1-80>", level=2)
def if_description(ctx: Ctx) -> None:
    _target(ctx).description = ctx.args["text"]
    ctx.changed("interfaces")


@COMMANDS.command(("interface", "vlanif"), "undo description", level=2)
def undo_if_description(ctx: Ctx) -> None:
    _target(ctx).description = None
    ctx.changed("interfaces")


@COMMANDS.command(("interface", "vlanif"), ["shutdown", "undo shutdown"], level=2)
def shutdown(ctx: Ctx) -> None:
    _target(ctx).shutdown = not ctx.undo
    ctx.changed("interfaces")


def _target(ctx: Ctx) -> Port | VlanInterface:
    if ctx.view.kind == "vlanif":
        return ctx.device.vlan_interfaces[int(ctx.view.key[14:])]
    return _port(ctx)


@COMMANDS.command("interface", ["port link-type {access|trunk|hybrid}", "undo port link-type"], level=2)
def link_type(ctx: Ctx) -> None:
    port = _port(ctx)
    new = "access" if ctx.undo else next(w for w in ("access", "trunk", "hybrid") if ctx.has(w))
    if new != port.link_type:
        description, shut = port.description, port.shutdown
        port.reset()
        port.description, port.shutdown = description, shut
        port.link_type = new
    ctx.changed("interfaces")


def _need(port: Port, link: str) -> None:
    if port.link_type != link:
        raise CommandError(f" Error: Please configure the link type of {port.name} as {link} first.")


@COMMANDS.command("interface", "port access vlan <vid:int:1-4094>", level=2)
def access_vlan(ctx: Ctx) -> None:
    port = _port(ctx)
    _need(port, "access")
    _vlan_exists(ctx, ctx.args["vid"])
    port.access_vlan = ctx.args["vid"]
    ctx.changed("interfaces")


@COMMANDS.command("interface", "undo port access vlan", level=2)
def undo_access_vlan(ctx: Ctx) -> None:
    port = _port(ctx)
    _need(port, "access")
    port.access_vlan = 1
    ctx.changed("interfaces")


@COMMANDS.command("interface", ["port trunk permit vlan {all|<vlans:vlanitem>...}",
                       "undo port trunk permit vlan {all|<vlans:vlanitem>...}"], level=2)
def trunk_permit(ctx: Ctx) -> None:
    port = _port(ctx)
    _need(port, "trunk")
    mask = _vlan_mask(ctx)
    if ctx.undo:
        port.trunk_permitted &= ~mask
    else:
        port.trunk_permitted |= mask
    ctx.changed("interfaces")


@COMMANDS.command("interface", ["port trunk pvid vlan <vid:int:1-4094>", "undo port trunk pvid vlan"], level=2)
def trunk_pvid(ctx: Ctx) -> None:
    port = _port(ctx)
    _need(port, "trunk")
    port.pvid = 1 if ctx.undo else ctx.args["vid"]
    ctx.changed("interfaces")


@COMMANDS.command("interface", ["port hybrid vlan <vlans:vlanitem>... {tagged|untagged}",
                       "undo port hybrid vlan {all|<vlans:vlanitem>...}"], level=2)
def hybrid_vlan(ctx: Ctx) -> None:
    port = _port(ctx)
    _need(port, "hybrid")
    mask = _vlan_mask(ctx)
    if ctx.undo:
        port.hybrid_tagged &= ~mask
        port.hybrid_untagged &= ~mask
    elif ctx.has("tagged"):
        port.hybrid_tagged |= mask
        port.hybrid_untagged &= ~mask
    else:
        port.hybrid_untagged |= mask
        port.hybrid_tagged &= ~mask
    ctx.changed("interfaces")


@COMMANDS.command("interface", ["port hybrid pvid vlan <vid:int:1-4094>", "undo port hybrid pvid vlan"], level=2)
def hybrid_pvid(ctx: Ctx) -> None:
    port = _port(ctx)
    _need(port, "hybrid")
    port.pvid = 1 if ctx.undo else ctx.args["vid"]
    ctx.changed("interfaces")


