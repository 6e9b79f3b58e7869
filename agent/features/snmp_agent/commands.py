"""SNMP agent settings (the SNMP agent itself reads them from the device)."""

from __future__ import annotations

from agent import usm
from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.tree import CommandSet

COMMANDS = CommandSet()

COMMANDS.describe(
    snmp_agent="Specify SNMP (Simple Network Management Protocol) configuration information",
    community="Specify a community name",
    read="Specify a read-only community",
    write="Specify a read-write community",
    sys_info="Specify system information",
    contact="Specify the contact person",
    location="Specify the physical location",
    version="Specify the SNMP version",
    v1="SNMPv1",
    v2c="SNMPv2c",
    v3="SNMPv3",
    usm_user="Specify a user of the USM (User-based Security Model)",
)
_ORDER = ("v1", "v2c", "v3")


@COMMANDS.command("system", ["snmp-agent", "undo snmp-agent"], level=3)
def snmp_agent(ctx: Ctx) -> None:
    ctx.device.snmp.enabled = not ctx.undo
    ctx.changed("snmp")


@COMMANDS.command("system", "snmp-agent community {read|write} <name:word:1-32>", level=3,
         help={"<name>": "Community name"})
def community(ctx: Ctx) -> None:
    ctx.device.snmp.communities[ctx.args["name"]] = "write" if ctx.has("write") else "read"
    ctx.changed("snmp")


@COMMANDS.command("system", "undo snmp-agent community <name:word:1-32>", level=3)
def undo_community(ctx: Ctx) -> None:
    if ctx.device.snmp.communities.pop(ctx.args["name"], None) is None:
        raise CommandError(" Error: The community does not exist.")
    ctx.changed("snmp")


@COMMANDS.command("system", ["snmp-agent sys-info contact <text:text:1-200>", "snmp-agent sys-info location <text:text:1-200>"],
         level=3)
def sys_info(ctx: Ctx) -> None:
    if ctx.has("contact"):
        ctx.device.snmp.contact = ctx.args["text"]
    else:
        ctx.device.snmp.location = ctx.args["text"]
    ctx.changed("snmp")


@COMMANDS.command("system", ["undo snmp-agent sys-info contact", "undo snmp-agent sys-info location"], level=3)
def undo_sys_info(ctx: Ctx) -> None:
    if ctx.has("contact"):
        ctx.device.snmp.contact = None
    else:
        ctx.device.snmp.location = None
    ctx.changed("snmp")


@COMMANDS.command("system", ["snmp-agent sys-info version {all|v1|v2c|v3}...",
                    "undo snmp-agent sys-info version {all|v1|v2c|v3}..."], level=3)
def sys_info_version(ctx: Ctx) -> None:
    typed = set(_ORDER) if ctx.has("all") else {w for w in ctx.match.keywords if w in _ORDER}
    current = set(ctx.device.snmp.versions)
    current = current - typed if ctx.undo else current | typed
    ctx.device.snmp.versions = [v for v in _ORDER if v in current]
    ctx.changed("snmp")


@COMMANDS.command("system", ["snmp-agent usm-user <rest:text:1-400>", "undo snmp-agent usm-user <rest:text:1-400>"], level=3)
def usm_user(ctx: Ctx) -> None:
    rest = " ".join(ctx.args["rest"].split())
    users = ctx.device.snmp.usm_users
    if ctx.undo:
        ctx.device.snmp.usm_users = [u for u in users if not u.startswith(rest)]
        ctx.changed("snmp")
        return
    # Stored (and shown, and saved) as Comware does: `cipher` and the keys localized to the
    # agent's engine ID, never the passwords as typed (agent.usm).
    rest = usm.cipher_form(rest, usm.engine_id(ctx.device.mac(0)))
    name = rest.split()[1] if len(rest.split()) > 1 else ""
    same_user = [u for u in users if len(u.split()) > 1 and u.split()[:2] == ["v3", name]]
    for old in same_user:  # the most recent configuration of a user takes effect
        users.remove(old)
    users.append(rest)
    ctx.changed("snmp")
