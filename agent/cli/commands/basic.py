"""Session and system commands: views, quit/return, paging, super, sysname, save, reboot."""

from __future__ import annotations

import re
import time
from collections.abc import Generator

from agent.cli.commands.dialogs import save_dialogue, save_lines, yes_no
from agent.cli.context import SYSTEM, USER, Ask, Ctx
from agent.cli.errors import WrongParameter
from agent.cli.lockout import LOCKED, super_failed, super_locked
from agent.cli.tree import VIEWS, command, describe
from agent.passwords import hash_password, is_hash, verify_password

describe(
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
describe(**{"return": "Exit to User View"})
_SYSNAME_RE = re.compile(r"^[A-Za-z0-9.\-_@()/:]{1,48}$")
_NOT_USER = tuple(v for v in VIEWS if v != "user")


@command("any", "quit", level=0)
def quit_(ctx: Ctx) -> None:
    parent = ctx.view.parent
    if parent is None:
        ctx.session.closed = True
        return
    ctx.view = parent


@command(_NOT_USER, "return", level=0)
def return_(ctx: Ctx) -> None:
    ctx.view = USER


@command("user", "system-view", level=2)
def system_view(ctx: Ctx) -> None:
    ctx.print("System View: return to User View with Ctrl+Z.")
    ctx.view = SYSTEM


@command("user", ["screen-length disable", "undo screen-length disable"], level=0)
def screen_length(ctx: Ctx) -> None:
    ctx.session.paging = ctx.undo
    state = "enabled" if ctx.undo else "disabled"
    ctx.print(f"% Screen-length configuration is {state} for current user.")


def _level_note(level: int) -> list[str]:
    return [
        f"User privilege level is {level}, and only those commands can be used",
        "whose level is equal or less than this.",
        "Privilege note: 0-VISIT, 1-MONITOR, 2-SYSTEM, 3-MANAGE",
    ]


@command("user", "super [<level:int:0-3>]", level=0, help={"<level>": "Privilege level"})
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


@command("system", "super password [level <level:int:1-3>] {simple|cipher} <pw:word:1-63>", level=3,
         help={"<pw>": "Password"})
def super_password(ctx: Ctx) -> None:
    kind = "cipher" if ctx.has("cipher") else "simple"
    ctx.device.super_passwords[ctx.args.get("level", 3)] = _store_password(kind, ctx.args["pw"])


@command("system", "undo super password [level <level:int:1-3>]", level=3)
def undo_super_password(ctx: Ctx) -> None:
    ctx.device.super_passwords.pop(ctx.args.get("level", 3), None)


@command("system", "sysname <name:word:1-48>", level=2, help={"<name>": "Host name (1 to 48 characters)"})
def sysname(ctx: Ctx) -> None:
    name = ctx.args["name"]
    if not _SYSNAME_RE.match(name):
        raise WrongParameter("name")
    ctx.device.sysname = name
    ctx.changed("sysname")


@command("system", "undo sysname", level=2)
def undo_sysname(ctx: Ctx) -> None:
    ctx.device.sysname = ctx.device.profile.identity.sysname
    ctx.changed("sysname")


@command("any", "save", level=2)
def save(ctx: Ctx) -> Generator[Ask, str, None]:
    def dialogue() -> Generator[Ask, str, None]:
        yield from save_dialogue(ctx, "The current configuration will be written to the device. Are you sure? [Y/N]:")

    return dialogue()


@command("any", "save force", level=2)
def save_force(ctx: Ctx) -> None:
    ctx.print(*save_lines(ctx))


@command("any", "save <file:word:1-64>", level=2, help={"<file>": "Name of the file the configuration is saved to"})
def save_file(ctx: Ctx) -> Generator[Ask, str, None]:
    name = ctx.args["file"]

    def dialogue() -> Generator[Ask, str, None]:
        if not name.lower().endswith(".cfg"):
            ctx.print("The file name is invalid(does not end with .cfg).")
            return
        if (yield from yes_no("The current configuration will be written to the device. Are you sure? [Y/N]:")):
            ctx.print(*save_lines(ctx, name))

    return dialogue()


@command("user", "reboot", level=3)
def reboot(ctx: Ctx) -> Generator[Ask, str, None]:
    device = ctx.device

    def dialogue() -> Generator[Ask, str, None]:
        ctx.print(" Start to check configuration with next startup configuration file, please wait.........DONE!")
        if not device.is_saved():
            yield from save_dialogue(
                ctx,
                " This command will reboot the device. Current configuration will be lost, "
                "save current configuration? [Y/N]:",
            )
        if not (yield from yes_no(" This command will reboot the device. Continue? [Y/N]:")):
            return
        stamp = time.strftime("%b %d %H:%M:%S:000 %Y", time.localtime())
        ctx.print(f"#{stamp} {device.sysname} DEVM/1/REBOOT:", " Reboot device by command.", "",
                  f"%{stamp} {device.sysname} DEVM/5/SYSTEM_REBOOT: System is rebooting now.")
        ctx.session.reboot_requested = True

    return dialogue()
