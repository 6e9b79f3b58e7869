"""Local users, the VTY user interface, `super` and its passwords."""

from __future__ import annotations

from collections.abc import Generator

from agent.cli.context import Ask, Ctx, View
from agent.cli.errors import CommandError
from agent.cli.lockout import LOCKED, super_failed, super_locked
from agent.cli.tree import CommandSet
from agent.device.model import LocalUser
from agent.passwords import hash_password, is_hash, verify_password

COMMANDS = CommandSet()

SERVICE_TYPES = ("ssh", "telnet", "terminal", "ftp", "lan-access", "portal", "web")
COMMANDS.describe(
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
COMMANDS.describe(**{"<name>": "User name", "<pw>": "Password", "<level>": "Privilege level"})


def _user(ctx: Ctx) -> LocalUser:
    user = ctx.device.local_users.get(ctx.view.key)
    if user is None:  # deleted from another session while this one sits in its view
        raise CommandError(" Error: The local user does not exist.")
    return user


@COMMANDS.command("system", "local-user <name:word:1-80>", level=3)
def local_user(ctx: Ctx) -> None:
    name = ctx.args["name"]
    if name not in ctx.device.local_users:
        ctx.device.local_users[name] = LocalUser(name)
        if not ctx.session.loading:
            ctx.print("New local user added.")
        ctx.changed("users")
    ctx.view = View("luser", name)


@COMMANDS.command("system", "undo local-user <name:word:1-80>", level=3)
def undo_local_user(ctx: Ctx) -> None:
    if ctx.device.local_users.pop(ctx.args["name"], None) is None:
        raise CommandError(" Error: The local user does not exist.")
    ctx.changed("users")


@COMMANDS.command("luser", "password {simple|cipher} <pw:word:1-200>", level=3)
def password(ctx: Ctx) -> None:
    _user(ctx).password_hash = _store_password("cipher" if ctx.has("cipher") else "simple", ctx.args["pw"])
    ctx.changed("users")


@COMMANDS.command("luser", "undo password", level=3)
def undo_password(ctx: Ctx) -> None:
    _user(ctx).password_hash = None
    ctx.changed("users")


_TYPES = "{" + "|".join(SERVICE_TYPES) + "}..."


@COMMANDS.command("luser", [f"service-type {_TYPES}", f"undo service-type {_TYPES}"], level=3)
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


@COMMANDS.command("luser", ["authorization-attribute level <level:int:0-3>", "level <level:int:0-3>"], level=3)
def auth_level(ctx: Ctx) -> None:
    _user(ctx).level = ctx.args["level"]
    ctx.changed("users")


@COMMANDS.command("luser", ["undo authorization-attribute level", "undo level"], level=3)
def undo_auth_level(ctx: Ctx) -> None:
    _user(ctx).level = None
    ctx.changed("users")


@COMMANDS.command("luser", "state {active|block}", level=3)
def state(ctx: Ctx) -> None:
    _user(ctx).state = "block" if ctx.has("block") else "active"
    ctx.changed("users")


@COMMANDS.command("system", "user-interface vty <first:int:0-15> [<last:int:0-15>]", level=3)
def user_interface(ctx: Ctx) -> None:
    ctx.view = View("ui", "vty0-15")


@COMMANDS.command("ui", "authentication-mode {password|scheme|none}", level=3)
def authentication_mode(ctx: Ctx) -> None:
    ctx.device.vty.authentication_mode = next(w for w in ("password", "scheme", "none") if ctx.has(w))
    ctx.changed("ui")


@COMMANDS.command("ui", ["protocol inbound {all|ssh|telnet}", "undo protocol inbound"], level=3)
def protocol_inbound(ctx: Ctx) -> None:
    ctx.device.vty.protocol_inbound = "all" if ctx.undo else next(w for w in ("all", "ssh", "telnet") if ctx.has(w))
    ctx.changed("ui")


@COMMANDS.command("ui", "idle-timeout <minutes:int:0-35791> [<seconds:int:0-59>]", level=3,
         help={"<minutes>": "Specify the idle timeout in minutes", "<seconds>": "Specify the idle timeout in seconds"})
def idle_timeout(ctx: Ctx) -> None:
    ctx.device.vty.idle_minutes = ctx.args["minutes"]
    ctx.device.vty.idle_seconds = ctx.args.get("seconds", 0)
    ctx.changed("ui")


@COMMANDS.command("ui", "undo idle-timeout", level=3)
def undo_idle_timeout(ctx: Ctx) -> None:
    ctx.device.vty.idle_minutes, ctx.device.vty.idle_seconds = 10, 0
    ctx.changed("ui")


@COMMANDS.command("ui", ["user privilege level <level:int:0-3>", "undo user privilege level"], level=3)
def privilege_level(ctx: Ctx) -> None:
    ctx.device.vty.privilege_level = 0 if ctx.undo else ctx.args["level"]
    ctx.changed("ui")


# ------------------------------------------------------------------ super
def _level_note(level: int) -> list[str]:
    return [
        f"User privilege level is {level}, and only those commands can be used",
        "whose level is equal or less than this.",
        "Privilege note: 0-VISIT, 1-MONITOR, 2-SYSTEM, 3-MANAGE",
    ]


@COMMANDS.command("user", "super [<level:int:0-3>]", level=0, help={"<level>": "Privilege level"})
def super_(ctx: Ctx) -> Generator[Ask, str, None] | None:
    target = ctx.args.get("level", 3)
    session = ctx.session
    if target <= session.level:
        session.level = target
        ctx.print(*_level_note(target))
        return None

    if super_locked(session):  # agent.cli.lockout: too many wrong passwords in this session
        session.failed = True
        ctx.print(LOCKED)
        return None

    def dialogue() -> Generator[Ask, str, None]:
        stored = ctx.device.super_passwords.get(target)
        ctx.print("Please input the password to change the privilege level, press CTRL_C to abort.")
        typed = yield Ask(" Password:", secret=True)
        if stored is None or not verify_password(stored, typed.encode("utf-8", "replace")):
            ctx.print(*super_failed(session, target))
            session.failed = True
            return
        session.level = target
        ctx.print(*_level_note(target))

    return dialogue()


def _store_password(kind: str, text: str) -> str:
    """``cipher`` text we wrote is kept; anything else (plain, or foreign cipher) is hashed."""
    if kind == "cipher" and is_hash(text):
        return text
    return hash_password(text)


@COMMANDS.command("system", "super password [level <level:int:1-3>] {simple|cipher} <pw:word:1-63>", level=3,
         help={"<pw>": "Password"})
def super_password(ctx: Ctx) -> None:
    kind = "cipher" if ctx.has("cipher") else "simple"
    ctx.device.super_passwords[ctx.args.get("level", 3)] = _store_password(kind, ctx.args["pw"])


@COMMANDS.command("system", "undo super password [level <level:int:1-3>]", level=3)
def undo_super_password(ctx: Ctx) -> None:
    ctx.device.super_passwords.pop(ctx.args.get("level", 3), None)
