"""The asyncio edge: listener and per-connection driver on 127.0.0.1, with a real device."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from agent.server.listener import DeviceServer

pytestmark = pytest.mark.interop  # its tests serve a device on a 127.0.0.1 socket


async def _with_server(device: Any, body: Any, *, pass_server: bool = False) -> Any:
    server = DeviceServer(device, "127.0.0.1", 0)
    await server.start()
    try:
        return await asyncio.wait_for(body(server) if pass_server else body(server.port), 20)
    finally:
        await server.stop()


def test_banner_nodelay_and_version_refusal(device) -> None:  # type: ignore[no-untyped-def]
    async def body(server: DeviceServer) -> tuple[bytes, bytes, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        banner = await reader.readline()
        (driver,) = server.connections  # the driver of this connection
        sock = driver.transport.get_extra_info("socket")
        nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.write(b"SSH-3.0-future\r\n")
        reply = await reader.read()
        writer.close()
        return banner, reply, nodelay

    banner, reply, nodelay = asyncio.run(_with_server(device, body, pass_server=True))
    assert banner == b"SSH-1.99-Comware-5.20\r\n"
    assert reply == b"Protocol major versions differ.\n"
    assert nodelay == 1


def test_disabled_ssh_server_refuses_connections(device) -> None:  # type: ignore[no-untyped-def]
    device.ssh.enabled = False

    async def body(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = await reader.read()
        writer.close()
        return data

    assert asyncio.run(_with_server(device, body)) == b""


def test_authentication_timeout_closes_the_connection(device) -> None:  # type: ignore[no-untyped-def]
    device.ssh.authentication_timeout = 1

    async def body(port: int) -> float:
        loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        writer.write(b"SSH-2.0-slowpoke\r\n")  # then never a KEXINIT
        started = loop.time()
        while await reader.read(4096):
            pass
        writer.close()
        return loop.time() - started

    elapsed = asyncio.run(_with_server(device, body))
    assert 0.5 < elapsed < 5


def test_an_engine_bug_closes_only_that_connection(device, monkeypatch: pytest.MonkeyPatch, caplog) -> None:  # type: ignore[no-untyped-def]
    import agent.server.driver as driver
    from agent.ssh2.server import Ssh2ServerCore

    class BrokenCore:
        """The real SSH-2 engine, except that its receive_data has a bug."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.__dict__["real"] = Ssh2ServerCore(*args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

        def __setattr__(self, name: str, value: Any) -> None:
            setattr(self.real, name, value)

        def receive_data(self, data: bytes) -> None:
            raise RuntimeError("simulated engine bug")

    # (the engine may be compiled, so its method cannot be patched: the driver gets this class)
    monkeypatch.setitem(driver.ENGINES, "2", lambda device, client, line, peer, leftover, deadline: BrokenCore(
        device, client, line, peer, initial_data=leftover, deadline=deadline))

    async def body(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        writer.write(b"SSH-2.0-client\r\n")
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.write(b"\x00" * 64)  # now the (broken) engine gets bytes
        rest = await reader.read()
        writer.close()
        return rest

    rest = asyncio.run(_with_server(device, body))
    assert b"Internal error" in rest  # the DISCONNECT says why
    assert "internal error in data_received" in caplog.text


def test_stop_closes_connections_that_never_logged_in(device) -> None:  # type: ignore[no-untyped-def]
    async def body() -> bytes:
        server = DeviceServer(device, "127.0.0.1", 0)
        await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        await reader.readline()
        await asyncio.wait_for(server.stop(), 5)  # would wait for the 60 s auth timeout otherwise
        rest = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        return rest

    assert asyncio.run(body()) == b""


def test_output_for_a_peer_that_does_not_read_is_bounded() -> None:
    """A client that types but never opens its window: we stop re-opening its window in turn."""
    from agent.ssh2.connection import ServerConnection
    from agent.ssh2.constants import (
        MSG_CHANNEL_DATA,
        MSG_CHANNEL_OPEN,
        MSG_CHANNEL_REQUEST,
        MSG_CHANNEL_WINDOW_ADJUST,
    )
    from agent.wire import boolean, byte, string, uint32

    class Chatty:
        closed, exit_status = False, 0

        def start(self) -> bytes:
            return b"<SW>"

        def feed(self, data: bytes) -> bytes:
            return b"x" * (len(data) * 4)

        def execute(self, command: str) -> tuple[bytes, int]:
            return b"", 0

        def resize(self, width: int, height: int) -> None:
            pass

    sent: list[bytes] = []
    conn = ServerConnection(sent.append, lambda **_: Chatty())
    conn.handle(MSG_CHANNEL_OPEN, byte(MSG_CHANNEL_OPEN) + string(b"session") + uint32(7) + uint32(0) + uint32(32768))
    conn.handle(MSG_CHANNEL_REQUEST, byte(MSG_CHANNEL_REQUEST) + uint32(0) + string(b"shell") + boolean(False))
    for _ in range(4000):
        channel = conn.channels.get(0)
        if channel is None or channel.local_window < 32768:
            break
        conn.handle(MSG_CHANNEL_DATA, byte(MSG_CHANNEL_DATA) + uint32(0) + string(b"y" * 32768))
    channel = conn.channels[0]
    assert not any(p[0] == MSG_CHANNEL_WINDOW_ADJUST for p in sent)  # output piled up: no new window
    assert channel.local_window < 32768  # the client's window is exhausted: it has to stop typing
    assert len(channel.pending) <= 4 * 2 * 1024 * 1024 + 64  # bounded: 4x one window of input
