"""`display` commands (level 1, the configuration level 2; in every view, all accept `| begin|include|exclude`)."""

from __future__ import annotations

from collections.abc import Callable

from agent.cli import config, render
from agent.cli.context import Ctx
from agent.cli.errors import CommandError
from agent.cli.tree import Handler, command, describe

describe(
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
describe(**{"<vid>": "VLAN ID"})


def _display(syntax: str | list[str], level: int = 1) -> Callable[[Handler], Handler]:
    return command("any", syntax, level=level, filterable=True)


# The configuration (users, keys, communities) is for the SYSTEM level and up, as on the switch:
# a MONITOR (level 1) user gets `Unrecognized command` for these.
_CONFIG_LEVEL = 2


@_display("display version")
def d_version(ctx: Ctx) -> None:
    ctx.print(*render.version(ctx.device))


def _config_lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


@_display("display current-configuration", _CONFIG_LEVEL)
def d_current(ctx: Ctx) -> None:
    ctx.print(*_config_lines(config.render(ctx.device)))


@_display("display current-configuration interface [<if:iface>]", _CONFIG_LEVEL)
def d_current_interface(ctx: Ctx) -> None:
    device = ctx.device
    if "if" in ctx.args:
        section = config.interface_section(device, ctx.args["if"])
        if section is None:
            raise CommandError(" Error: The interface does not exist.")
        parts = [section]
    else:
        parts = [["interface NULL0"]] + [config.vlan_interface_section(device.vlan_interfaces[v])
                                         for v in sorted(device.vlan_interfaces)]
        parts += [config.port_section(p) for p in device.ports.values()]
    ctx.print(*_config_lines(config.wrap(parts)))


@_display("display saved-configuration", _CONFIG_LEVEL)
def d_saved(ctx: Ctx) -> None:
    text = ctx.device.saved_configuration()
    if text is None:
        raise CommandError(" The config file does not exist!")
    ctx.print(*_config_lines(text))


@_display("display this", _CONFIG_LEVEL)
def d_this(ctx: Ctx) -> None:
    device, view = ctx.device, ctx.view
    section: list[str] | None = None
    if view.kind in ("interface", "vlanif"):
        section = config.interface_section(device, view.key)
    elif view.kind == "vlan" and view.key in device.vlans:
        section = next(s for s in config.sections(device) if s[0] == f"vlan {view.key}")
    elif view.kind == "luser" and view.key in device.local_users:
        section = config.local_user_section(device.local_users[view.key])
    elif view.kind == "ui":
        section = config.user_interface_section(device)
    elif view.kind in ("system", "user"):
        ctx.print(*_config_lines(config.render(device)))
        return
    ctx.print(*_config_lines(config.wrap([section] if section else [])))


@_display(["display interface [<if:iface>]", "display interface brief"])
def d_interface(ctx: Ctx) -> None:
    if ctx.has("brief"):
        ctx.print(*render.interface_brief(ctx.device))
        return
    name = ctx.args.get("if")
    if name is not None and name.startswith("Vlan-interface") and int(name[14:]) not in ctx.device.vlan_interfaces:
        raise CommandError(" Error: The interface does not exist.")
    ctx.print(*render.interfaces(ctx.device, name))


@_display("display vlan [all|brief|<vid:int:1-4094>]")
def d_vlan(ctx: Ctx) -> None:
    device = ctx.device
    if ctx.has("all"):
        ctx.print(*render.vlan_detail(device, sorted(device.vlans)))
    elif ctx.has("brief"):
        ctx.print(*render.vlan_brief(device))
    elif "vid" in ctx.args:
        if ctx.args["vid"] not in device.vlans:
            raise CommandError(" Error: The VLAN does not exist.")
        ctx.print(*render.vlan_detail(device, [ctx.args["vid"]]))
    else:
        ctx.print(*render.vlan_summary(device))


@_display("display mac-address")
def d_mac(ctx: Ctx) -> None:
    ctx.print(*render.mac_table(ctx.device))


@_display("display clock")
def d_clock(ctx: Ctx) -> None:
    ctx.print(*render.clock())


@_display(["display device", "display device manuinfo"])
def d_device(ctx: Ctx) -> None:
    ctx.print(*(render.manuinfo(ctx.device) if ctx.has("manuinfo") else render.device_boards(ctx.device)))


@_display(["display ip interface", "display ip interface brief"])
def d_ip_interface(ctx: Ctx) -> None:
    ctx.print(*(render.ip_interface_brief(ctx.device) if ctx.has("brief") else render.ip_interface(ctx.device)))


@_display("display users")
def d_users(ctx: Ctx) -> None:
    ctx.print(*render.users(ctx.device, ctx.session))


@_display(["display ssh server status", "display ssh server session"])
def d_ssh_server(ctx: Ctx) -> None:
    if ctx.has("status"):
        ctx.print(*render.ssh_status(ctx.device))
    else:
        ctx.print(*render.ssh_sessions(ctx.device))


@_display("display ssh user-information")
def d_ssh_users(ctx: Ctx) -> None:
    ctx.print(*render.ssh_user_information(ctx.device))


@_display("display local-user")
def d_local_user(ctx: Ctx) -> None:
    ctx.print(*render.local_users(ctx.device))


@_display("display history-command")
def d_history(ctx: Ctx) -> None:
    ctx.print(*render.history(ctx.session))


@_display("display public-key local rsa public")
def d_local_key(ctx: Ctx) -> None:
    ctx.print(*render.local_rsa_public(ctx.device))


@_display("display public-key peer")
def d_peer_keys(ctx: Ctx) -> None:
    ctx.print(*render.peer_keys(ctx.device))


@_display("display snmp-agent sys-info [contact|location|version]")
def d_snmp_sys_info(ctx: Ctx) -> None:
    which = next((w for w in ("contact", "location", "version") if ctx.has(w)), None)
    ctx.print(*render.snmp_sys_info(ctx.device, which))
