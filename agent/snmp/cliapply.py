"""Apply SNMP SETs through the CLI command handlers, so the running configuration changes
exactly as it would for an operator typing the same commands (and listeners are notified)."""

from __future__ import annotations

import logging
from typing import Any

from agent.snmp.oidtree import SetError

log = logging.getLogger(__name__)

SNMP_CLI_USER = "snmp-agent"


def cli_text_ok(text: str, max_len: int, *, allow_empty: bool = True) -> str:
    """Check a value for a CLI ``text`` argument; SetError (wrongLength/wrongValue) if it cannot be typed."""
    if len(text) > max_len:
        raise SetError("wrongLength", f"longer than {max_len} characters")
    if not text:
        if allow_empty:
            return text
        raise SetError("wrongLength", "empty")
    if any(not (" " <= ch <= "~") for ch in text) or text != text.strip():
        # The CLI cannot carry control characters, non-ASCII, or leading/trailing blanks.
        raise SetError("wrongValue", "not representable in the CLI")
    return text


def decode(raw: Any) -> str:
    data = bytes(raw) if not isinstance(raw, str) else raw.encode("latin-1", "replace")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise SetError("wrongValue", "not ASCII") from None


def run_cli(device: Any, lines: list[str]) -> None:
    """Run ``lines`` (starting in user view) in a non-interactive level-3 CLI session.

    Raises SetError("commitFailed") when any line fails.
    """
    session = device.open_cli(SNMP_CLI_USER, 3, interactive=False)
    for line in lines:
        output, status = session.execute(line)
        if status != 0:
            text = output.decode("utf-8", "replace").strip()
            log.warning("SNMP SET: CLI line %r failed: %s", line, text)
            raise SetError("commitFailed", f"{line}: {text}")
