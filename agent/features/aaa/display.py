"""`display local-user`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.tree import CommandSet
from agent.features.aaa import render

COMMANDS = CommandSet()


@COMMANDS.display("display local-user")
def d_local_user(ctx: Ctx) -> None:
    ctx.print(*render.local_users(ctx.device))
