"""`ip host NAME IP` and its undo: one address per name, set again to change it."""

from __future__ import annotations

import re

from agent.cli.context import Ctx
from agent.cli.errors import CommandError, WrongParameter
from agent.cli.tree import CommandSet
from agent.features.ip_host.state import IpHosts

COMMANDS = CommandSet()
COMMANDS.describe(ip="Specify IP configurations", host="Add a host name and its IP address")
_HELP = {"<name>": "Host name (1 to 20 characters, at least one letter)", "<ip>": "IP address of the host"}
# Comware: letters, digits, '-', '_' and '.', at least one letter
_NAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9._-]{1,20}$")


@COMMANDS.command("system", "ip host <name:word:1-20> <ip:ip>", level=2, help=_HELP)
def ip_host(ctx: Ctx) -> None:
    name = ctx.args["name"]
    if not _NAME.match(name):
        raise WrongParameter("name")
    ctx.device.state(IpHosts).by_name[name] = ctx.args["ip"]
    ctx.changed("hosts")


@COMMANDS.command("system", "undo ip host <name:word:1-20> [<ip:ip>]", level=2, help=_HELP)
def undo_ip_host(ctx: Ctx) -> None:
    hosts = ctx.device.state(IpHosts).by_name
    name, ip = ctx.args["name"], ctx.args.get("ip")
    if name not in hosts:
        return  # nothing to remove
    if ip is not None and hosts[name] != ip:
        raise CommandError(" Error: The host name and the IP address do not match.")
    del hosts[name]
    ctx.changed("hosts")
