"""Session and system commands: views, quit/return, screen-length, sysname."""

from __future__ import annotations

import re

from agent.cli.context import SYSTEM, USER, Ctx
from agent.cli.errors import WrongParameter
from agent.cli.tree import ANY, CONFIG, CommandSet

COMMANDS = CommandSet()

COMMANDS.describe(
    quit="Exit from current command view",
    system_view="Enter the System View",
    screen_length="Specify the lines displayed on one screen",
    disable="Disable function",
    super="Set the current user priority level",
    password="Specify the password",
    level="Specify the privilege level",
    simple="Specify a plaintext password",
    cipher="Specify a ciphertext password",
    sysname="Specify the host name",
    save="Save current configuration",
    force="Save configuration without confirmation",
    reboot="Reboot the device",
    undo="Cancel current setting",
)
COMMANDS.describe(**{"return": "Exit to User View"})
_SYSNAME_RE = re.compile(r"^[A-Za-z0-9.\-_@()/:]{1,48}$")


@COMMANDS.command(ANY, "quit", level=0)
def quit_(ctx: Ctx) -> None:
    parent = ctx.session.family.parent(ctx.view)
    if parent is None:
        ctx.session.closed = True
        return
    ctx.view = parent


@COMMANDS.command(CONFIG, "return", level=0)
def return_(ctx: Ctx) -> None:
    ctx.view = USER


@COMMANDS.command("user", "system-view", level=2)
def system_view(ctx: Ctx) -> None:
    ctx.print("System View: return to User View with Ctrl+Z.")
    ctx.view = SYSTEM


@COMMANDS.command("user", ["screen-length disable", "undo screen-length disable"], level=0)
def screen_length(ctx: Ctx) -> None:
    ctx.session.paging = ctx.undo
    state = "enabled" if ctx.undo else "disabled"
    ctx.print(f"% Screen-length configuration is {state} for current user.")


@COMMANDS.command("system", "sysname <name:word:1-48>", level=2, help={"<name>": "Host name (1 to 48 characters)"})
def sysname(ctx: Ctx) -> None:
    name = ctx.args["name"]
    if not _SYSNAME_RE.match(name):
        raise WrongParameter("name")
    ctx.device.sysname = name
    ctx.changed("sysname")


@COMMANDS.command("system", "undo sysname", level=2)
def undo_sysname(ctx: Ctx) -> None:
    ctx.device.sysname = ctx.device.profile.identity.sysname
    ctx.changed("sysname")


