"""Apply SNMP SETs through the CLI command handlers, so the running configuration changes
exactly as it would for an operator typing the same commands (and listeners are notified)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from agent.snmp.oidtree import SetError, Writable

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


class CommitError(SetError):
    """A SET that could not be applied: ``status`` commitFailed (``index`` the varbind that failed,
    every change undone) or undoFailed (index 0: some change could not be taken back)."""

    def __init__(self, status: str, index: int, message: str = "") -> None:
        super().__init__(status, message)
        self.index = index


def apply_set(device: Any, changes: Sequence[tuple[int, Writable, Any]]) -> None:
    """Apply checked SET varbinds ``(index, setter, prepared)`` all or nothing (RFC 3416 4.2.5).

    Under ``device.lock``: note every object's current value (``setter.undo``), run all the CLI
    lines in one level-3 session; when a line fails, run the undo lines of every varbind touched
    so far (last first) and raise CommitError commitFailed, or undoFailed if one of those fails.
    """
    with device.lock:
        undo = [setter.undo(prepared) for _, setter, prepared in changes]
        session = device.open_cli(SNMP_CLI_USER, 3, interactive=False)
        failed: tuple[int, int, Exception] | None = None
        for position, (index, setter, prepared) in enumerate(changes):
            try:
                _run(session, ["system-view", *setter.lines(prepared)] if position == 0 else setter.lines(prepared))
            except Exception as err:  # noqa: BLE001 - SetError, or a CLI bug: either way undo what was done
                if not isinstance(err, SetError):
                    log.exception("SNMP SET: the CLI failed")
                failed = (position, index, err)
                break
        if failed is None:
            return
        position, index, error = failed
        undone = True
        for previous in reversed(undo[: position + 1]):
            try:  # a fresh session per varbind: the failed one may have been left in any view
                _run(device.open_cli(SNMP_CLI_USER, 3, interactive=False), ["system-view", *previous])
            except Exception:  # noqa: BLE001 - keep going: put back as much as possible
                log.exception("SNMP SET: cannot undo with %r", previous)
                undone = False
        if not undone:
            raise CommitError("undoFailed", 0, str(error))
        raise CommitError("commitFailed", index, str(error))


def _run(session: Any, lines: list[str]) -> None:
    for line in lines:
        output, status = session.execute(line)
        if status != 0:
            text = output.decode("utf-8", "replace").strip()
            log.warning("SNMP SET: CLI line %r failed: %s", line, text)
            raise SetError("commitFailed", f"{line}: {text}")
