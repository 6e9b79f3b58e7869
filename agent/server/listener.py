"""Listening sockets for emulated devices: one asyncio server per device address."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from agent.server.driver import ConnectionDriver

log = logging.getLogger("switch_agent.ssh")


class DeviceServer:
    """An emulated device's SSH listener and the state its connections share."""

    def __init__(self, device: Any, host: str, port: int) -> None:
        self.device = device
        self.host = host
        self.port = port
        self.server: asyncio.AbstractServer | None = None
        self._ssh1_key: Any = None

    def ssh1_server_key(self) -> Any:
        """The SSH1 server key cache of this device, created on first SSH1 client."""
        if self._ssh1_key is None:
            from agent.ssh1.server_key import ServerKeyCache

            self._ssh1_key = ServerKeyCache(self.device)
        return self._ssh1_key

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: ConnectionDriver(self.device, self), self.host, self.port, reuse_address=True, backlog=512
        )
        sock = self.server.sockets[0]
        self.port = sock.getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.device.sessions.terminate_all("The device is shutting down")
            await self.server.wait_closed()
            self.server = None


async def serve_forever(servers: list[DeviceServer], stop: asyncio.Event) -> None:
    for server in servers:
        await server.start()
    started = time.monotonic()
    await stop.wait()
    for server in servers:
        await server.stop()
    log.info("stopped %d device(s) after %.0fs", len(servers), time.monotonic() - started)
