"""`display public-key local rsa public` and `display public-key peer`."""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.tree import CommandSet
from agent.features.public_key import render

COMMANDS = CommandSet()


@COMMANDS.display("display public-key local rsa public")
def d_local_key(ctx: Ctx) -> None:
    ctx.print(*render.local_rsa_public(ctx.device))


@COMMANDS.display("display public-key peer")
def d_peer_keys(ctx: Ctx) -> None:
    ctx.print(*render.peer_keys(ctx.device))
