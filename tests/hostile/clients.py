"""Hostile and legitimate SSH clients for tests/hostile/, on asyncio sockets over loopback.

They drive the project's own sans-IO client engines (``agent.ssh2.client``,
``agent.ssh1.client``) so an attack can do what no polite client does: keep a channel window
at 0, send a 70 KB SSH1 STDIN packet, stop after the version line, trickle a byte a second.
``python -m tests.hostile.clients MODE ...`` runs one actor in its own process (so the device
under test shares its event loop with nothing of the attacker's) and prints a JSON result.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from agent.identification import IdentificationReader
from agent.ssh1.client import Output, Ssh1ClientCore
from agent.ssh1.messages import Msg
from agent.ssh2.client import CLIENT_VERSION, ClientOptions, ClientTransport
from agent.wire import string

USER, PASSWORD = "admin", "lab-Secret-42"


@dataclass
class Ssh2Conn:
    """One SSH-2 connection: our client engine pumped over an asyncio stream."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    client: ClientTransport
    eof: bool = False
    pump_task: asyncio.Task[None] | None = field(default=None, repr=False)

    def flush(self) -> None:
        data = self.client.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)

    async def _pump(self) -> None:
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.client.receive_data(data)
                self.flush()
        except (ConnectionError, OSError):
            pass
        self.eof = True

    async def wait(self, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.eof or self.client.closed or time.monotonic() > deadline:
                return bool(predicate())
            await asyncio.sleep(0.002)
        return True

    def write(self, data: bytes) -> None:
        self.client.write(data)
        self.flush()

    def close(self) -> None:
        if self.pump_task is not None:
            self.pump_task.cancel()
        self.writer.close()


async def ssh2_connect(host: str, port: int, options: ClientOptions, *, source: str | None = None) -> Ssh2Conn:
    """TCP connect (from ``source`` when given), exchange version lines, start the client engine."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0) if source else None)
    writer.write(CLIENT_VERSION.encode() + b"\r\n")
    ident = IdentificationReader()
    server = None
    while server is None:
        data = await reader.read(4096)
        if not data:
            raise ConnectionError("closed before the version line")
        server = ident.feed(data)
    client = ClientTransport(options, server.line)
    conn = Ssh2Conn(reader, writer, client)
    if ident.leftover:
        client.receive_data(ident.leftover)
    conn.flush()
    conn.pump_task = asyncio.ensure_future(conn._pump())
    return conn


async def ssh2_login(host: str, port: int, *, source: str | None = None, timeout: float = 10.0, **options: Any) -> Ssh2Conn:
    """A logged-in connection with an open shell channel (raises on failure)."""
    opts = ClientOptions(username=USER, password=PASSWORD, **options)
    conn = await ssh2_connect(host, port, opts, source=source)
    if not await conn.wait(lambda: conn.client.channel_open, timeout):
        conn.close()
        raise ConnectionError(f"no session: {conn.client.disconnect_reason or 'timeout'}")
    return conn


async def ssh2_command_latency(conn: Ssh2Conn, command: bytes, marker: bytes, timeout: float = 5.0) -> float:
    """Type ``command`` into the shell and time until ``marker`` comes back."""
    start_len = len(conn.client.output)
    started = time.perf_counter()
    conn.write(command)
    ok = await conn.wait(lambda: marker in conn.client.output[start_len:], timeout)
    if not ok:
        raise TimeoutError(f"no answer to {command!r}")
    return time.perf_counter() - started


@dataclass
class Ssh1Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    client: Ssh1ClientCore
    output: bytearray = field(default_factory=bytearray)
    pump_task: asyncio.Task[None] | None = field(default=None, repr=False)

    def flush(self) -> None:
        data = self.client.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)

    async def _pump(self) -> None:
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.client.receive_data(data)
                for event in self.client.events():
                    if isinstance(event, Output):
                        self.output += event.data
                self.flush()
        except (ConnectionError, OSError):
            pass

    def close(self) -> None:
        if self.pump_task is not None:
            self.pump_task.cancel()
        self.writer.close()


async def ssh1_shell(host: str, port: int, timeout: float = 10.0) -> Ssh1Conn:
    """A logged-in SSH1 connection with an interactive shell."""
    reader, writer = await asyncio.open_connection(host, port)
    client = Ssh1ClientCore(USER, password=PASSWORD)
    conn = Ssh1Conn(reader, writer, client)
    conn.pump_task = asyncio.ensure_future(conn._pump())
    deadline = time.monotonic() + timeout
    while not client.authenticated:
        conn.flush()
        if client.closed or time.monotonic() > deadline:
            raise ConnectionError("SSH1 login failed")
        await asyncio.sleep(0.005)
    client.request_pty("vt100", 24, 80)
    client.exec_shell()
    conn.flush()
    return conn


def ssh1_big_stdin(conn: Ssh1Conn, data: bytes) -> None:
    """One STDIN_DATA packet of any size (the client engine itself splits at 16 KiB)."""
    conn.client._send(Msg.CMSG_STDIN_DATA, string(data))  # noqa: SLF001 - a hostile client
    conn.flush()


# ---------------------------------------------------------------- actors run as processes


async def _probe(host: str, port: int, seconds: float) -> dict[str, Any]:
    """Log in, then time `display clock` round trips for ``seconds``: the other device's view."""
    conn = await ssh2_login(host, port)
    await conn.wait(lambda: b">" in conn.client.output, 5)
    samples = []  # (wall-clock start, round trip): the test keeps those inside its attack window
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.time()
        samples.append((started, await ssh2_command_latency(conn, b"display clock\r", b"UTC")))
        await asyncio.sleep(0.01)
    conn.close()
    return {"samples": samples}


async def _type_window0(host: str, port: int, size: int, line: str, hold: float) -> dict[str, Any]:
    """Open a shell whose window we keep at 0 and type ``size`` bytes of ``line`` into it."""
    conn = await ssh2_login(host, port, window=0)
    text = (line + "\r").encode()
    conn.write(text * (size // len(text)))
    await asyncio.sleep(hold)
    result = {"unsent": len(conn.client._pending), "closed": conn.client.closed}  # noqa: SLF001
    conn.close()
    return result


async def _ssh1_stdin(host: str, port: int, size: int, line: str, hold: float) -> dict[str, Any]:
    """One STDIN packet of ``size`` bytes of commands; then the answer is drained, not decrypted."""
    conn = await ssh1_shell(host, port)
    await asyncio.sleep(0.3)
    assert conn.pump_task is not None
    conn.pump_task.cancel()
    text = (line + "\r").encode()
    ssh1_big_stdin(conn, text * (size // len(text)))
    received = 0
    end = time.monotonic() + hold
    while (left := end - time.monotonic()) > 0:
        try:
            data = await asyncio.wait_for(conn.reader.read(1 << 16), left)
        except TimeoutError:
            break
        if not data:
            break
        received += len(data)
    conn.close()
    return {"output": received}


async def _regex(host: str, port: int, pattern: str, seconds: float) -> dict[str, Any]:
    """Filter the configuration through ``pattern`` again and again for ``seconds``."""
    conn = await ssh2_login(host, port)
    await conn.wait(lambda: b">" in conn.client.output, 5)
    took = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        took.append(await ssh2_command_latency(conn, f"display current-configuration | include {pattern}\r".encode(), b"<", 30))
        conn.client.output.clear()
    conn.close()
    return {"max": max(took)}


def main(argv: list[str]) -> None:
    mode, host, port = argv[0], argv[1], int(argv[2])
    rest = argv[3:]
    if mode == "probe":
        result = asyncio.run(_probe(host, port, float(rest[0])))
    elif mode == "type0":
        result = asyncio.run(_type_window0(host, port, int(rest[0]), rest[1], float(rest[2])))
    elif mode == "ssh1-stdin":
        result = asyncio.run(_ssh1_stdin(host, port, int(rest[0]), rest[1], float(rest[2])))
    elif mode == "regex":
        result = asyncio.run(_regex(host, port, rest[0], float(rest[1])))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
