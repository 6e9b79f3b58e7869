"""`save` (with its dialogue and file name) and `reboot`: the configuration to flash, and back."""

from __future__ import annotations

import time
from collections.abc import Generator

from agent.cli.context import Ask, Ctx, yes_no
from agent.cli.tree import ANY, CommandSet
from agent.features.save_reboot.dialogs import save_dialogue, save_lines

COMMANDS = CommandSet()


@COMMANDS.command(ANY, "save", level=2)
def save(ctx: Ctx) -> Generator[Ask, str, None]:
    def dialogue() -> Generator[Ask, str, None]:
        yield from save_dialogue(ctx, "The current configuration will be written to the device. Are you sure? [Y/N]:")

    return dialogue()


@COMMANDS.command(ANY, "save force", level=2)
def save_force(ctx: Ctx) -> None:
    ctx.print(*save_lines(ctx))


@COMMANDS.command(ANY, "save <file:word:1-64>", level=2, help={"<file>": "Name of the file the configuration is saved to"})
def save_file(ctx: Ctx) -> Generator[Ask, str, None]:
    name = ctx.args["file"]

    def dialogue() -> Generator[Ask, str, None]:
        if not name.lower().endswith(".cfg"):
            ctx.print("The file name is invalid(does not end with .cfg).")
            return
        if (yield from yes_no("The current configuration will be written to the device. Are you sure? [Y/N]:")):
            ctx.print(*save_lines(ctx, name))

    return dialogue()


@COMMANDS.command("user", "reboot", level=3)
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
