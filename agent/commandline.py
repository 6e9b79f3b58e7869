"""What every ``switch-agent`` subcommand's ``--help`` shares: defaults shown, examples kept as written."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written; each option's default shown unless its help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("default" in text or default in (None, False, argparse.SUPPRESS) or default == []
                or not action.option_strings):
            return text
        if isinstance(default, tuple):  # e.g. a HOST:PORT parsed into a tuple
            default = ":".join(map(str, default))
        return f"{text} (default: {default})"


def subcommand(parent: Any, name: str, help: str, examples: Sequence[str] = (), **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand parser with the shared help layout and its examples (commands a user can paste)."""
    lines = "\n".join(f"  {line}" for line in examples)
    parser: argparse.ArgumentParser = parent.add_parser(
        name, help=help, description=kwargs.pop("description", help), formatter_class=HelpFormatter,
        epilog=f"examples:\n{lines}" if lines else None, **kwargs)
    return parser
