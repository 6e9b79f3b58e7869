"""The fast log formatter prints exactly what the standard format string prints."""

from __future__ import annotations

import logging
import sys

from agent.logformat import LogLineFormatter

STANDARD = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def _record(created: float, msg: str = "peer=%s login ok", args: tuple = ("127.0.0.1:2222",), **extra) -> logging.LogRecord:
    record = logging.LogRecord("switch_agent.ssh", logging.INFO, __file__, 1, msg, args, None, **extra)
    record.created = created
    record.msecs = (created - int(created)) * 1000
    return record


def test_same_text_across_seconds_and_milliseconds() -> None:
    fast = LogLineFormatter()
    for created in (1_795_000_000.0, 1_795_000_000.999, 1_795_000_001.004, 1_795_000_001.5, 1_795_086_400.25):
        assert fast.format(_record(created)) == STANDARD.format(_record(created))


def test_exception_and_stack_text_follow_the_line() -> None:
    try:
        raise ValueError("bad packet")
    except ValueError:
        info = sys.exc_info()
    fast_record = logging.LogRecord("switch_agent.ssh", logging.ERROR, __file__, 1, "internal error", (), info)
    std_record = logging.LogRecord("switch_agent.ssh", logging.ERROR, __file__, 1, "internal error", (), info)
    std_record.created = fast_record.created
    std_record.msecs = fast_record.msecs
    text = LogLineFormatter().format(fast_record)
    assert text == STANDARD.format(std_record)
    assert text.splitlines()[-1] == "ValueError: bad packet"
    fast_record.stack_info = std_record.stack_info = "Stack (most recent call last):\n  here"
    assert LogLineFormatter().format(fast_record) == STANDARD.format(std_record)
