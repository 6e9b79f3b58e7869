"""`display ip host`: the static host table, as Comware 5 lays it out."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.tree import CommandSet
from agent.features.ip_host.state import IpHosts

COMMANDS = CommandSet()
COMMANDS.describe(display="Display current system information", ip="Specify IP configurations",
                  host="Host name and IP address table")


@COMMANDS.display("display ip host")
def d_ip_host(ctx: Ctx) -> None:
    hosts = ctx.device.state(IpHosts).by_name
    ctx.print(f"{'Host':<26}{'Age':<8}{'Flags':<8}Address")
    ctx.print(*(f"{name:<26}{0:<8}{'static':<8}{hosts[name]}" for name in sorted(hosts)))
