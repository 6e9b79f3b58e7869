"""The cost of waiting for a client, with no SSH at all: a trivial echo server's CPU per connection.

    .venv/bin/python bench/roundtrip_floor.py [--rounds 10] [--count 2000] [--reps 3]

A short SSH session is a chain of round trips set by the client (the asyncssh client of
bench/handshake.py makes about 10): each time, the server wakes up, reads, answers and sleeps
again. This benchmark measures what that costs a server that does nothing else: a uvloop echo
server (its own process) answers a uvloop client (another process) that connects, reads a
greeting, sends ``--rounds`` 100-byte messages one at a time, waiting for each echo, and closes.
The server's CPU per connection (utime+stime from its POSIX CPU-time clock, as in
bench/handshake.py) is the floor under every server's figure there: it is the same for all of
them. It is measured twice, once with the processes wherever the scheduler puts them (as the
handshake benchmark runs) and once with both pinned to CPU 0, where a wake-up needs no
inter-processor interrupt. Everything runs on 127.0.0.1 and stops at the end (``--timeout``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

GREETING = b"hello\r\n"
MESSAGE = b"x" * 100


class Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.transport.write(GREETING)

    def data_received(self, data: bytes) -> None:
        if data.startswith(b"bye"):
            self.transport.close()
        else:
            self.transport.write(data)


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=512)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    server.close()


async def one(port: int, rounds: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    for _ in range(rounds):
        writer.write(MESSAGE)
        await reader.readexactly(len(MESSAGE))
    writer.write(b"bye")
    await reader.read()
    writer.close()


async def drive(port: int, pid: int, count: int, rounds: int) -> float:
    """Server CPU ms per connection over ``count`` connections (after 50 warm-up ones)."""
    for _ in range(50):
        await one(port, rounds)
    cpu0 = common.proc_cpu_clock_seconds(pid) or common.proc_cpu_seconds(pid)
    for _ in range(count):
        await one(port, rounds)
    cpu1 = common.proc_cpu_clock_seconds(pid) or common.proc_cpu_seconds(pid)
    return (cpu1 - cpu0) * 1000 / count


def run_loop(main: object) -> None:
    try:
        import uvloop

        uvloop.run(main)  # type: ignore[arg-type]
    except ImportError:
        asyncio.run(main)  # type: ignore[arg-type]


def measure(args: argparse.Namespace, pin: str | None) -> float:
    prefix = ["taskset", "-c", pin] if pin else []
    port = common.free_port()
    me = [sys.executable, __file__]
    server = subprocess.Popen([*prefix, *me, "--serve", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("echo server did not start")
        out = subprocess.run(
            [*prefix, *me, "--drive", str(port), str(server.pid), str(args.count), str(args.rounds)],
            capture_output=True, text=True, timeout=args.timeout, check=True,
        )  # fmt: skip
        return float(out.stdout.strip())
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="round trips per connection")
    parser.add_argument("--count", type=int, default=2000, help="timed connections per repetition")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="limit per repetition, seconds")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--drive", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        run_loop(serve(args.serve))
        return 0
    if args.drive is not None:
        port, pid, count, rounds = args.drive
        result: list[float] = []

        async def go() -> None:
            result.append(await drive(port, pid, count, rounds))

        run_loop(go())
        print(f"{result[0]:.4f}")
        return 0
    can_pin = (os.cpu_count() or 1) > 1 and shutil.which("taskset") is not None
    started = time.monotonic()
    rows: dict[str, list[float]] = {"unpinned": [], "both on CPU 0": []}
    for _ in range(args.reps):
        rows["unpinned"].append(measure(args, None))
        if can_pin:
            rows["both on CPU 0"].append(measure(args, "0"))
    print(
        f"echo server, {args.rounds} round trips per connection, {args.count} connections x {args.reps} reps:"
    )
    for name, values in rows.items():
        if values:
            per_trip = statistics.median(values) * 1000 / (args.rounds + 1)
            print(
                f"  {name:14s} server CPU {statistics.median(values):.3f} ms/conn "
                f"(min-max {min(values):.3f}-{max(values):.3f}), about {per_trip:.0f} us per round trip"
            )
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
