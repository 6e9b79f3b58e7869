"""The asyncio edge: listener and per-connection driver on 127.0.0.1, with a real device."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

import agent.server.listener as listener
from agent.server.driver import ConnectionDriver
from agent.server.listener import DeviceServer


class RecordingDriver(ConnectionDriver):
    made: list[RecordingDriver] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        RecordingDriver.made.append(self)


async def _with_server(device: Any, body: Any) -> Any:
    server = DeviceServer(device, "127.0.0.1", 0)
    await server.start()
    try:
        return await asyncio.wait_for(body(server.port), 20)
    finally:
        await server.stop()


def test_banner_nodelay_and_version_refusal(device, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(listener, "ConnectionDriver", RecordingDriver)

    async def body(port: int) -> tuple[bytes, bytes, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        banner = await reader.readline()
        sock = RecordingDriver.made[-1].transport.get_extra_info("socket")  # type: ignore[union-attr]
        nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.write(b"SSH-3.0-future\r\n")
        reply = await reader.read()
        writer.close()
        return banner, reply, nodelay

    banner, reply, nodelay = asyncio.run(_with_server(device, body))
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
