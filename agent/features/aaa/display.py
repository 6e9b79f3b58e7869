"""`display` commands of the aaa feature."""

from __future__ import annotations

from agent.cli import render
from agent.cli.context import Ctx
from agent.cli.tree import CommandSet

COMMANDS = CommandSet()


@COMMANDS.display("display local-user")
def d_local_user(ctx: Ctx) -> None:
    ctx.print(*render.local_users(ctx.device))
