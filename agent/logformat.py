"""The process log: one line per record, ``2026-11-22 06:24:06,742 INFO switch_agent.ssh: ...``.

A device logs one line per SSH connection, so formatting a record sits on the login path.
The standard ``logging.Formatter`` calls ``time.localtime`` and ``time.strftime`` for every
record and ``logging`` walks the call stack to find the caller's file and line, which the
line never shows. :class:`LogLineFormatter` prints the very same text as the format
``%(asctime)s %(levelname)s %(name)s: %(message)s`` but formats the date and time once per
second, and :func:`setup_logging` turns off the lookups nothing prints (documented in the
logging HOWTO, "Optimization").
"""

from __future__ import annotations

import logging
import sys
import time


class LogLineFormatter(logging.Formatter):
    """``%(asctime)s %(levelname)s %(name)s: %(message)s``, with the date formatted once a second."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._second = -1
        self._stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:
            self._stamp = time.strftime(self.default_time_format, self.converter(second))
            self._second = second
        line = f"{self._stamp},{int(record.msecs):03d} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line


def setup_logging(verbose: bool) -> None:
    """Log to stderr at INFO (DEBUG with ``verbose``), one :class:`LogLineFormatter` line per record."""
    logging.logProcesses = False
    logging.logThreads = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # no caller lookup: the line shows no file or line number
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogLineFormatter())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
