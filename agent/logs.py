"""The process log: one line per record, ``2026-11-22 06:24:06,742 INFO switch_agent.ssh: ...``.

A device logs one line per SSH connection, so logging sits on the login path. Four things
keep it cheap without changing a character of the output:

- :class:`LogLineFormatter` prints the very same text as the format
  ``%(asctime)s %(levelname)s %(name)s: %(message)s`` but formats the date and time once per
  second instead of calling ``time.localtime`` and ``time.strftime`` for every record;
- :func:`setup_logging` turns off the lookups nothing prints, the caller's file and line
  among them (documented in the logging HOWTO, "Optimization");
- :class:`BatchedStreamHandler` writes the lines of 50 ms in one system call
  while an event loop runs (measured: a write to a log file on ext4 costs 10 us typically and
  0.2 ms one time in ten);
- :class:`DeferredLines` lets the connection driver note a line's fields and time, and makes
  the records a batch at a time: a record made as the last act of a connection, after a wait,
  runs the logging code with cold caches (measured: 4% of a short SSH session's CPU).

Warnings and errors, and lines logged outside an event loop, are written at once; whatever is
pending is written when the event loop ends (:func:`flush_logs`), before a fork, and at exit.

Why not the standard library's ``QueueHandler`` + ``QueueListener``: they move the write to a
thread, which is woken for every record and still writes line by line. Measured side by side
(20,000 connection lines from an event loop to a file, same formatter, process CPU of all
threads, three rounds): 13.9-25.2 us per line with the queue pair against 6.7-11.3 us with
:class:`BatchedStreamHandler`, about twice the cost on the login path.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

# When logging was imported: LogRecord.relativeCreated counts from it (a private name of logging).
_LOGGING_START: float = getattr(logging, "_startTime", time.time())


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


class FlushTimer:
    """Calls ``flush`` at most ``delay`` seconds after :meth:`arm`, on the running event loop."""

    def __init__(self, flush: Callable[[], None], delay: float) -> None:
        self._flush = flush
        self.delay = delay
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop a flush is due in

    def arm(self) -> bool:
        """Make sure a flush is due; False when no event loop runs in this thread."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if self._loop is not loop:
            self._loop = loop
            loop.call_later(self.delay, self._due)
        return True

    def _due(self) -> None:
        self._loop = None
        self._flush()


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that writes the lines of up to ``delay`` seconds in one write.

    Only inside a running event loop (the servers), which flushes with a timer; anywhere
    else, and for WARNING and above, every record is written at once.
    """

    def __init__(self, stream: TextIO, delay: float = 0.05) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._timer = FlushTimer(self.flush, delay)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._pending.append(self.format(record))
            if record.levelno >= logging.WARNING or not self._timer.arm():
                self.flush()
        except Exception:  # noqa: BLE001 - logging must never raise into the caller
            self.handleError(record)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._pending:
                text = "\n".join(self._pending) + "\n"
                self._pending.clear()
                self.stream.write(text)
            super().flush()


class DeferredLines:
    """INFO lines of one logger whose records are made a batch at a time, with their own times.

    ``note(*args)`` costs a list append; within ``delay`` seconds (at once outside an event
    loop) each noted line becomes an ordinary record of ``logger`` (``msg % args``, the time
    of the note), so handlers, filters and levels apply as to any other record.
    """

    def __init__(self, logger: logging.Logger, msg: str, delay: float = 0.05) -> None:
        self.logger = logger
        self.msg = msg
        self._pending: list[tuple[float, tuple[object, ...]]] = []
        self._timer = FlushTimer(self.flush, delay)
        _DEFERRED.append(self)

    def note(self, *args: object) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        self._pending.append((time.time(), args))
        if not self._timer.arm():
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        logger = self.logger
        for created, args in pending:
            record = logger.makeRecord(logger.name, logging.INFO, "(deferred)", 0, self.msg, args, None)
            record.created = created
            record.msecs = int((created - int(created)) * 1000) + 0.0
            record.relativeCreated = (created - _LOGGING_START) * 1000
            logger.handle(record)
        if pending:  # already a batch: the handlers need not hold these lines any longer
            holder: logging.Logger | None = logger
            while holder is not None:
                for handler in holder.handlers:
                    handler.flush()
                holder = holder.parent if holder.propagate else None


_DEFERRED: list[DeferredLines] = []


def flush_logs() -> None:
    """Make the deferred records and write what the root logger's handlers hold.

    Called when an event loop ends, before a fork (a forked lab worker must not write its
    parent's pending lines again) and at exit.
    """
    for lines in _DEFERRED:
        lines.flush()
    for handler in logging.getLogger().handlers:
        handler.flush()


def setup_logging(verbose: bool) -> None:
    """Log to stderr at INFO (DEBUG with ``verbose``), one :class:`LogLineFormatter` line per record."""
    logging.logProcesses = False
    logging.logThreads = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # no caller lookup: the line shows no file or line number
    handler = BatchedStreamHandler(sys.stderr)
    handler.setFormatter(LogLineFormatter())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    global _hooks_installed
    if not _hooks_installed:
        os.register_at_fork(before=flush_logs)
        atexit.register(flush_logs)  # runs before logging's own shutdown: deferred lines first
        _hooks_installed = True


_hooks_installed = False
