"""The system feature's `display` commands: version, current/saved configuration, this, clock, device, users, history.

Every `display` command (CommandSet.display) is in every view and accepts `| begin|include|exclude`;
level 1, the configuration (CONFIG_LEVEL) level 2.
"""

from __future__ import annotations

from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.family import wrap
from agent.cli.tree import CommandSet
from agent.features.system import render
from agent.features.system.clock import CLOCK_ZONE, clock_lines, zone_of

COMMANDS = CommandSet()

COMMANDS.describe(
    display="Display current system information",
    version="Display version of the system software",
    current_configuration="Current configuration",
    saved_configuration="Contents of the configuration file for next startup",
    this="Display the configuration of the current view",
    brief="Brief information",
    mac_address="MAC address table information",
    clock="Clock status and configuration information",
    device="Device information",
    manuinfo="Manufacture information",
    users="Display user information",
    status="Status information",
    session="Session information",
    user_information="Information of SSH users",
    history_command="Display history command",
)
COMMANDS.describe(**{"<vid>": "VLAN ID"})



# The configuration (users, keys, communities) is for the SYSTEM level and up, as on the switch:
# a MONITOR (level 1) user gets `Unrecognized command` for these.
CONFIG_LEVEL = 2


@COMMANDS.display("display version")
def d_version(ctx: Ctx) -> None:
    ctx.print(*render.version(ctx.device))


def _config_lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


@COMMANDS.display("display current-configuration", CONFIG_LEVEL)
def d_current(ctx: Ctx) -> None:
    ctx.print(*_config_lines(ctx.session.family.render_config(ctx.device)))


@COMMANDS.display("display current-configuration interface [<if:iface>]", CONFIG_LEVEL)
def d_current_interface(ctx: Ctx) -> None:
    sections = ctx.session.family.config_sections(ctx.device)
    if "if" in ctx.args:
        parts = [s for s in sections if s[0] == f"interface {ctx.args['if']}"]
        if not parts:
            raise CommandError(" Error: The interface does not exist.")
    else:
        parts = [s for s in sections if s[0].startswith("interface ")]
    ctx.print(*_config_lines(wrap(parts)))


@COMMANDS.display("display saved-configuration", CONFIG_LEVEL)
def d_saved(ctx: Ctx) -> None:
    text = ctx.device.saved_configuration()
    if text is None:
        raise CommandError(" The config file does not exist!")
    ctx.print(*_config_lines(text))


@COMMANDS.display("display this", CONFIG_LEVEL)
def d_this(ctx: Ctx) -> None:
    """The configuration of the current view: everything in user and system view, else its section."""
    family, view = ctx.session.family, ctx.view
    header = family.view_specs[view.kind].section_header
    if not header:
        ctx.print(*_config_lines(family.render_config(ctx.device)))
        return
    wanted = header.format(key=view.key)
    parts = [s for s in family.config_sections(ctx.device) if s[0] == wanted]
    ctx.print(*_config_lines(wrap(parts)))


@COMMANDS.display("display clock")
def d_clock(ctx: Ctx) -> None:
    zone = zone_of(ctx.device, ctx.session.family.provided(CLOCK_ZONE))
    ctx.print(*clock_lines(zone))


@COMMANDS.display(["display device", "display device manuinfo"])
def d_device(ctx: Ctx) -> None:
    ctx.print(*(render.manuinfo(ctx.device) if ctx.has("manuinfo") else render.device_boards(ctx.device)))


@COMMANDS.display("display users")
def d_users(ctx: Ctx) -> None:
    ctx.print(*render.users(ctx.device, ctx.session))


@COMMANDS.display("display history-command")
def d_history(ctx: Ctx) -> None:
    ctx.print(*render.history(ctx.session))


