"""`display ssh server status|session` and `display ssh user-information`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.tree import CommandSet
from agent.features.ssh_server import render

COMMANDS = CommandSet()


@COMMANDS.display(["display ssh server status", "display ssh server session"])
def d_ssh_server(ctx: Ctx) -> None:
    if ctx.has("status"):
        ctx.print(*render.ssh_status(ctx.device))
    else:
        ctx.print(*render.ssh_sessions(ctx.device))


@COMMANDS.display("display ssh user-information")
def d_ssh_users(ctx: Ctx) -> None:
    ctx.print(*render.ssh_user_information(ctx.device))
