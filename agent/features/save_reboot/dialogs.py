"""Building blocks for Comware dialogues (generators that yield :class:`Ask`)."""

from __future__ import annotations

from collections.abc import Generator

from agent.cli.context import Ask, Ctx, yes_no
from agent.device.device import flash_path


def save_lines(ctx: Ctx, name: str | None = None) -> list[str]:
    """Save the running configuration; the success lines (or an error line)."""
    try:
        ctx.device.save(name)
    except (OSError, ValueError) as exc:
        return [f" Error: Failed to save the configuration ({exc.__class__.__name__})."]
    return [
        " Validating file. Please wait....",
        " The current configuration is saved to the active main board successfully.",
        " Configuration is saved to device successfully.",
    ]


def save_dialogue(ctx: Ctx, first_question: str) -> Generator[Ask, str, bool]:
    """The `save` questions: confirm, file name, overwrite; returns True if saved."""
    if not (yield from yes_no(first_question)):
        return False
    default = ctx.device.startup_file
    ctx.print(f"Please input the file name(*.cfg)[{default}]")
    name = (yield Ask("(To leave the existing filename unchanged, press the enter key):")).strip()
    if not name:
        name = default
    if not name.lower().endswith(".cfg"):
        ctx.print("The file name is invalid(does not end with .cfg).")
        return False
    try:
        path = flash_path(ctx.device.state_dir, name)
    except ValueError:
        ctx.print("The file name is invalid.")
        return False
    shown = name if name.startswith("flash:") else f"flash:/{name.lstrip('/')}"
    if path.exists() and not (yield from yes_no(f"{shown} exists, overwrite? [Y/N]:")):
        return False
    ctx.print(*save_lines(ctx, None if path == ctx.device.config_path else name))
    return True
