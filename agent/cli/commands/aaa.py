"""Local users and the VTY user interface."""

from __future__ import annotations

from agent.cli.commands.basic import _store_password
from agent.cli.context import Ctx, View
from agent.cli.errors import CommandError
from agent.cli.tree import command, describe
from agent.device.model import LocalUser

SERVICE_TYPES = ("ssh", "telnet", "terminal", "ftp", "lan-access", "portal", "web")
describe(
    local_user="Specify a local user",
    service_type="Specify the service type",
    authorization_attribute="Specify the authorization attributes",
    state="Specify the state of the user",
    active="Active state",
    block="Block state",
    ssh="SSH service",
    telnet="Telnet service",
    terminal="Terminal service",
    ftp="FTP service",
    lan_access="LAN access service",
    portal="Portal service",
    web="Web service",
    user_interface="Enter the user interface view",
    vty="Virtual type terminal user interface",
    authentication_mode="Specify the login authentication mode",
    scheme="Authentication use AAA",
    none="Login without checking",
    protocol="Specify the protocols supported by this user interface",
    inbound="Specify the inbound protocols",
    idle_timeout="Specify the connection idle timeout for login user",
    user="Specify the user",
    privilege="Specify the privilege",
)
describe(**{"<name>": "User name", "<pw>": "Password", "<level>": "Privilege level"})


def _user(ctx: Ctx) -> LocalUser:
    user = ctx.device.local_users.get(ctx.view.key)
    if user is None:  # deleted from another session while this one sits in its view
        raise CommandError(" Error: The local user does not exist.")
    return user


@command("system", "local-user <name:word:1-80>", level=3)
def local_user(ctx: Ctx) -> None:
    name = ctx.args["name"]
    if name not in ctx.device.local_users:
        ctx.device.local_users[name] = LocalUser(name)
        if not ctx.session.loading:
            ctx.print("New local user added.")
        ctx.changed("users")
    ctx.view = View("luser", name)


@command("system", "undo local-user <name:word:1-80>", level=3)
def undo_local_user(ctx: Ctx) -> None:
    if ctx.device.local_users.pop(ctx.args["name"], None) is None:
        raise CommandError(" Error: The local user does not exist.")
    ctx.changed("users")


@command("luser", "password {simple|cipher} <pw:word:1-200>", level=3)
def password(ctx: Ctx) -> None:
    _user(ctx).password_hash = _store_password("cipher" if ctx.has("cipher") else "simple", ctx.args["pw"])
    ctx.changed("users")


@command("luser", "undo password", level=3)
def undo_password(ctx: Ctx) -> None:
    _user(ctx).password_hash = None
    ctx.changed("users")


_TYPES = "{" + "|".join(SERVICE_TYPES) + "}..."


@command("luser", [f"service-type {_TYPES}", f"undo service-type {_TYPES}"], level=3)
def service_type(ctx: Ctx) -> None:
    user = _user(ctx)
    typed = [w for w in ctx.match.keywords if w in SERVICE_TYPES]
    if ctx.undo:
        user.service_types = [t for t in user.service_types if t not in typed]
    else:
        for kind in typed:
            if kind not in user.service_types:
                user.service_types.append(kind)
    ctx.changed("users")


@command("luser", ["authorization-attribute level <level:int:0-3>", "level <level:int:0-3>"], level=3)
def auth_level(ctx: Ctx) -> None:
    _user(ctx).level = ctx.args["level"]
    ctx.changed("users")


@command("luser", ["undo authorization-attribute level", "undo level"], level=3)
def undo_auth_level(ctx: Ctx) -> None:
    _user(ctx).level = None
    ctx.changed("users")


@command("luser", "state {active|block}", level=3)
def state(ctx: Ctx) -> None:
    _user(ctx).state = "block" if ctx.has("block") else "active"
    ctx.changed("users")


@command("system", "user-interface vty <first:int:0-15> [<last:int:0-15>]", level=3)
def user_interface(ctx: Ctx) -> None:
    ctx.view = View("ui", "vty0-15")


@command("ui", "authentication-mode {password|scheme|none}", level=3)
def authentication_mode(ctx: Ctx) -> None:
    ctx.device.vty.authentication_mode = next(w for w in ("password", "scheme", "none") if ctx.has(w))
    ctx.changed("ui")


@command("ui", ["protocol inbound {all|ssh|telnet}", "undo protocol inbound"], level=3)
def protocol_inbound(ctx: Ctx) -> None:
    ctx.device.vty.protocol_inbound = "all" if ctx.undo else next(w for w in ("all", "ssh", "telnet") if ctx.has(w))
    ctx.changed("ui")


@command("ui", "idle-timeout <minutes:int:0-35791> [<seconds:int:0-59>]", level=3,
         help={"<minutes>": "Specify the idle timeout in minutes", "<seconds>": "Specify the idle timeout in seconds"})
def idle_timeout(ctx: Ctx) -> None:
    ctx.device.vty.idle_minutes = ctx.args["minutes"]
    ctx.device.vty.idle_seconds = ctx.args.get("seconds", 0)
    ctx.changed("ui")


@command("ui", "undo idle-timeout", level=3)
def undo_idle_timeout(ctx: Ctx) -> None:
    ctx.device.vty.idle_minutes, ctx.device.vty.idle_seconds = 10, 0
    ctx.changed("ui")


@command("ui", ["user privilege level <level:int:0-3>", "undo user privilege level"], level=3)
def privilege_level(ctx: Ctx) -> None:
    ctx.device.vty.privilege_level = 0 if ctx.undo else ctx.args["level"]
    ctx.changed("ui")
