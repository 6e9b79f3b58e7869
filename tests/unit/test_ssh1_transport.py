"""The blocking :class:`Ssh1Client` against the product's asyncio listener on 127.0.0.1.

The server side is the real thing: :class:`agent.server.listener.DeviceServer` serving a real
:class:`agent.device.Device` (see test_ssh1_session.py), on an event loop in a background thread.
What each connection did is read from the listener's own per-connection log line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.fleet.inventory import Host
from agent.fleet.transport import ConnectSettings, Ssh1Connection
from agent.server.listener import DeviceServer
from agent.ssh1.keyfile import dump_private_key
from agent.ssh1.transport import Ssh1AuthenticationError, Ssh1Client, Ssh1Error
from tests.helpers import SSH1_PASSWORD as PASSWORD
from tests.helpers import SSH1_USER_KEY as USER_KEY
from tests.helpers import VERSION_MARK, add_rsa_key, set_ssh1, ssh1_device

pytestmark = pytest.mark.interop  # the SSH1 client against a device served on 127.0.0.1


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class LiveServer:
    """A :class:`DeviceServer` for ``device`` running on its own event loop in a daemon thread."""

    def __init__(self, device: Any) -> None:
        self.device = device
        self.listener = DeviceServer(device, "127.0.0.1", 0)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._records = _Records()
        self._log = logging.getLogger("switch_agent.ssh")
        self._old_level = self._log.level

    @property
    def port(self) -> int:
        return self.listener.port

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def start(self) -> None:
        self._log.addHandler(self._records)
        if not self._log.isEnabledFor(logging.INFO):
            self._log.setLevel(logging.INFO)
        self._thread.start()
        self._call(self.listener.start())

    def stop(self) -> None:
        try:
            if self._thread.is_alive():
                self._call(self.listener.stop())
        finally:
            if self._thread.is_alive():
                self.loop.call_soon_threadsafe(self.loop.stop)
                self._thread.join(5)
            if not self._thread.is_alive():
                self.loop.close()
            self._log.removeHandler(self._records)
            self._log.setLevel(self._old_level)

    def summaries(self, count: int, timeout: float = 5.0) -> list[str]:
        """The log lines of the first ``count`` finished connections (waits for the server to see them end)."""
        deadline = time.monotonic() + timeout
        while len(self._records.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self._records.messages)


@pytest.fixture
def device(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    device = ssh1_device(tmp_path / "state", tmp_path_factory.getbasetemp() / "ssh1-shared-host-keys")
    add_rsa_key(device, "admin", USER_KEY)
    return device


@pytest.fixture
def server(device: Any) -> Iterator[LiveServer]:
    live = LiveServer(device)
    try:
        live.start()
        yield live
    finally:
        live.stop()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _baseline_fds(server: LiveServer, finished: int) -> int:
    """The open file descriptor count once the server has closed all of its ``finished`` connections."""
    server.summaries(finished)
    count, stable_since = _open_fds(), time.monotonic()
    deadline = stable_since + 3
    while time.monotonic() - stable_since < 0.05 and time.monotonic() < deadline:
        time.sleep(0.01)
        if (now := _open_fds()) != count:
            count, stable_since = now, time.monotonic()
    return count


def _settled_fds(expected: int, timeout: float = 3.0) -> int:
    """The open file descriptor count once the server thread has closed its side (or the timeout passed).

    Client and server share this process, so the server's socket for a connection is counted
    too; it closes when the client's socket does, a moment later. A leaked client socket keeps both.
    """
    deadline = time.monotonic() + timeout
    while (count := _open_fds()) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return count


@pytest.mark.parametrize("cipher", ["3des", "blowfish", "des"])
def test_exec_with_password(server: LiveServer, cipher: str) -> None:
    set_ssh1(server.device, ciphers=["3des", "blowfish", "des"])
    with Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", password=PASSWORD, cipher=cipher, timeout=5)
        output, status = client.exec("display version")
        assert VERSION_MARK in output and status == 0
        # SSH1 has one session per connection: a second exec reconnects transparently
        output, status = client.exec("no-such-command")
        assert status == 1 and b"Unrecognized" in output
    summaries = server.summaries(2)  # the server reads the EXIT_CONFIRMATION a moment later
    assert len(summaries) == 2
    assert all(f"cipher={cipher}" in line and "result=exit status" in line for line in summaries)


def test_exec_with_rsa_key_file_and_compression(server: LiveServer, tmp_path: Path) -> None:
    key_file = tmp_path / "id_rsa1"
    key_file.write_bytes(dump_private_key(USER_KEY, "test", "phrase"))
    with Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", key=key_file, passphrase="phrase", compression=6)
        assert client.compression_accepted
        output, status = client.exec("display version")
    assert VERSION_MARK in output and status == 0
    (summary,) = server.summaries(1)
    assert "auth=rsa" in summary and "compression=zlib" in summary


def test_shell_read_until_prompt(server: LiveServer) -> None:
    client = Ssh1Client()
    client.connect("127.0.0.1", server.port, "admin", password=PASSWORD)
    client.open_shell(width=120, height=40)
    assert client.read_until(re.compile(rb"<\S+>"), timeout=5).endswith(b"<SW7906E>")
    client.send("screen-length disable\r")  # no "---- More ----" pager in the way
    assert client.read_until("<SW7906E>", timeout=5).endswith(b"<SW7906E>")
    client.send("display version\r")
    text = client.read_until("<SW7906E>", timeout=5)
    assert VERSION_MARK in text
    assert client.read_until(timeout=0.2) == b""
    client.send(b"quit\r")
    client.read_until(timeout=2)
    assert client.exit_status == 0 and not client.connected
    client.close()


def test_wrong_password_raises(server: LiveServer) -> None:
    with pytest.raises(Ssh1AuthenticationError), Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", password="wrong", timeout=5)


def test_failed_login_closes_the_socket(server: LiveServer) -> None:
    client = Ssh1Client()
    client.connect("127.0.0.1", server.port, "admin", password=PASSWORD, timeout=5)  # warm up the server key
    client.close()
    before = _baseline_fds(server, 1)
    for _ in range(3):
        client = Ssh1Client()  # no `with`, no close(): the failed connect alone must not leak
        with pytest.raises(Ssh1AuthenticationError):
            client.connect("127.0.0.1", server.port, "admin", password="wrong", timeout=5)
        assert client._socket is None
    assert _settled_fds(before) == before


def test_timeout_closes_the_socket() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (backlog) but never speaks
        port = silent.getsockname()[1]
        before = _open_fds()
        client = Ssh1Client()
        with pytest.raises(Ssh1Error, match="timed out"):
            client.connect("127.0.0.1", port, "admin", password=PASSWORD, timeout=0.2)
        assert client._socket is None and _settled_fds(before) == before


def _host(port: int) -> Host:
    return Host("sw1", "127.0.0.1", port, "admin", "hp_comware", [], {})


def test_fleet_ssh1_connection_closes_its_client_when_setup_fails(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ConnectSettings(timeout=5)
    conn = Ssh1Connection(_host(server.port), PASSWORD, settings)  # the real thing works...
    assert "Comware" in conn.send_command("display version")
    conn.close()
    before = _baseline_fds(server, 1)
    with pytest.raises(Ssh1AuthenticationError):  # ...a refused login leaves nothing open...
        Ssh1Connection(_host(server.port), "wrong", settings)
    assert _settled_fds(before) == before

    clients: list[Ssh1Client] = []  # held here, so a leaked socket cannot be closed by the GC

    def no_shell(self: Ssh1Client, *args: object, **kwargs: object) -> None:
        clients.append(self)
        raise Ssh1Error("connection closed: shell refused")

    monkeypatch.setattr(Ssh1Client, "open_shell", no_shell)  # ...and neither does a failed shell
    with pytest.raises(Ssh1Error, match="shell refused"):
        Ssh1Connection(_host(server.port), PASSWORD, settings)
    assert len(clients) == 1 and clients[0]._socket is None and not clients[0].connected
    assert _settled_fds(before) == before


def test_ssh2_only_server_is_reported(server: LiveServer) -> None:
    server.device.ssh.compatible_ssh1x = False  # the device now announces SSH-2.0
    assert server.device.ssh_protocol_version() == "2.0"
    before = _open_fds()
    with pytest.raises(Ssh1Error, match="Protocol major versions differ"), Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", password=PASSWORD, timeout=5)
    assert client._socket is None and _settled_fds(before) == before


def test_connection_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(Ssh1Error, match="cannot connect"):
        Ssh1Client().connect("127.0.0.1", port, "admin", password=PASSWORD, timeout=2)
