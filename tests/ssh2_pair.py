"""An in-memory SSH-2 client/server pair: no sockets, just the two sans-IO engines."""

from __future__ import annotations

from typing import Any

from agent.identification import parse_version_line
from agent.ssh2.client import CLIENT_VERSION, ClientOptions, ClientTransport
from agent.ssh2.server import Ssh2ServerCore

SERVER_LINE = "SSH-2.0-Comware-5.20"
# Servers made by make_pair: they have no socket whose close would free their VTY line, so the
# autouse fixture in tests/conftest.py plays that close after each test (a device has 16 lines).
OPEN_SERVERS: list[Ssh2ServerCore] = []


def make_pair(device: Any, options: ClientOptions) -> tuple[ClientTransport, Ssh2ServerCore]:
    client = ClientTransport(options, SERVER_LINE)
    server = Ssh2ServerCore(device, parse_version_line(CLIENT_VERSION.encode()), SERVER_LINE, "memory:1")
    OPEN_SERVERS.append(server)
    return client, server


def pump(client: ClientTransport, server: Ssh2ServerCore, rounds: int = 200) -> None:
    """Exchange bytes until both sides are quiet (bounded)."""
    for _ in range(rounds):
        to_server = client.data_to_send()
        to_client = server.data_to_send()
        if not to_server and not to_client:
            if not server.has_backlog:
                return
            server.process_backlog()  # the driver's next event-loop turn
            continue
        if to_server:
            server.receive_data(to_server)
        if to_client:
            client.receive_data(to_client)
