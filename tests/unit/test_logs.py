"""The fast log formatter prints exactly what the standard format string prints."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import time

from agent.logs import _DEFERRED, BatchedStreamHandler, DeferredLines, LogLineFormatter

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


class _CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def _handler(delay: float = 0.05) -> tuple[BatchedStreamHandler, _CountingStream]:
    stream = _CountingStream()
    handler = BatchedStreamHandler(stream, delay=delay)
    handler.setFormatter(LogLineFormatter())
    return handler, stream


def test_lines_logged_inside_an_event_loop_are_written_together() -> None:
    handler, stream = _handler()

    async def serve() -> tuple[str, str]:
        for n in range(3):
            handler.handle(_record(1_795_000_000.0 + n, "peer=%s login ok", (f"10.0.0.{n}:22",)))
        before = stream.getvalue()
        await asyncio.sleep(0.2)
        return before, stream.getvalue()

    before, after = asyncio.run(serve())
    assert before == ""
    assert stream.writes == 1
    assert [line.split(": ", 1)[1] for line in after.splitlines()] == [f"peer=10.0.0.{n}:22 login ok" for n in range(3)]


def test_warnings_and_lines_outside_a_loop_are_written_at_once() -> None:
    handler, stream = _handler(delay=60)
    handler.handle(_record(1_795_000_000.0))
    assert stream.getvalue().endswith("login ok\n")

    async def serve() -> str:
        handler.handle(_record(1_795_000_001.0, "quiet", ()))
        warning = _record(1_795_000_002.0, "peer %s internal error", ("10.0.0.9:22",))
        warning.levelno, warning.levelname = logging.ERROR, "ERROR"
        handler.handle(warning)
        return stream.getvalue()

    text = asyncio.run(serve())
    assert text.splitlines()[-2:][0].endswith("quiet") and "ERROR" in text.splitlines()[-1]


def test_pending_lines_are_written_when_the_loop_ends() -> None:
    from agent.server.listener import run_event_loop

    handler, stream = _handler(delay=60)
    root = logging.getLogger()
    root.addHandler(handler)
    try:

        async def serve() -> None:
            logging.getLogger("switch_agent.ssh").warning("pending %s", "line")  # reaches the handler
            handler.handle(_record(1_795_000_000.0, "last connection", ()))

        run_event_loop(serve())
    finally:
        root.removeHandler(handler)
    assert stream.getvalue().splitlines()[-1].endswith("last connection")


def test_deferred_lines_become_records_with_their_own_time() -> None:
    handler, stream = _handler(delay=60)
    logger = logging.getLogger("switch_agent.test-deferred")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    lines = DeferredLines(logger, "peer=%s %s (%.1fs)", delay=1.05)
    try:
        lines.note("10.0.0.1:22", "outside a loop", 0.25)  # no loop: a record at once
        assert stream.getvalue().endswith("peer=10.0.0.1:22 outside a loop (0.2s)\n")

        async def serve() -> tuple[str, set[str]]:
            around = [time.time()]
            lines.note("10.0.0.2:22", "login ok", 0.0)
            around.append(time.time())
            before = stream.getvalue()
            await asyncio.sleep(1.2)  # made 1.05 s after the note (another second), written at once
            return before, {time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(t))) for t in around}

        before, noted_seconds = asyncio.run(serve())
        assert "10.0.0.2" not in before
        last = stream.getvalue().splitlines()[-1]
        assert last.endswith("peer=10.0.0.2:22 login ok (0.0s)")
        assert last[:19] in noted_seconds  # the time of the note, not of the record's making
        logger.disabled = True
        lines.note("10.0.0.3:22", "not logged", 0.0)
        lines.flush()
        assert "10.0.0.3" not in stream.getvalue()
    finally:
        logger.removeHandler(handler)
        _DEFERRED.remove(lines)
