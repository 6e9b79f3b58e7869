"""The blocking :class:`Ssh1Client` against the SSH1 server core behind a tiny threaded 127.0.0.1 listener.

The listener here is test scaffolding (one thread per connection, identification exchange,
then bytes in and out of :class:`Ssh1ServerCore`); the product's asyncio listener lives in
agent/server. The device is the same test double as in test_ssh1_session.py.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.errors import ProtocolError
from agent.identification import IdentificationReader, choose_engine
from agent.ssh1.keyfile import dump_private_key
from agent.ssh1.server import Ssh1ServerCore
from agent.ssh1.transport import Ssh1AuthenticationError, Ssh1Client, Ssh1Error
from tests.unit.test_ssh1_session import PASSWORD, SERVER_KEY, USER_KEY, VERSION_MARK, FakeDevice

SERVER_LINE = "SSH-1.99-Comware-5.20"


class ThreadedSsh1Server:
    """Accept connections on 127.0.0.1 and serve each with an :class:`Ssh1ServerCore` in a thread."""

    def __init__(self, device: Any, server_line: str = SERVER_LINE, server_key: Any = SERVER_KEY) -> None:
        self.device = device
        self.server_line = server_line
        self.server_key = server_key
        self.cores: list[Ssh1ServerCore] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # accept() wakes up regularly to notice the stop flag
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> ThreadedSsh1Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=self._serve, args=(conn, f"{addr[0]}:{addr[1]}"), daemon=True).start()

    def _serve(self, conn: socket.socket, peer: str) -> None:
        with conn:
            conn.sendall((self.server_line + "\r\n").encode())
            ident = IdentificationReader()
            conn.settimeout(10)
            try:
                version = None
                while version is None:
                    data = conn.recv(4096)
                    if not data:
                        return
                    version = ident.feed(data)
                announced = self.server_line.split("-")[1]
                if choose_engine(version, announced) != "1":
                    conn.sendall(b"Protocol major versions differ.\n")
                    return
            except ProtocolError as exc:
                conn.sendall(exc.description.encode() + b"\n")
                return
            core = Ssh1ServerCore(self.device, version, self.server_line, peer, server_key=self.server_key)
            self.cores.append(core)
            core.receive_data(ident.leftover)
            while True:
                out = core.data_to_send()
                if out:
                    conn.sendall(out)
                if core.closed:
                    return
                deadline = core.next_deadline()
                conn.settimeout(max(0.01, deadline - time.monotonic()) if deadline else 30)
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    core.on_deadline(time.monotonic())
                    continue
                except OSError:
                    data = b""
                if not data:
                    core.connection_lost()
                    return
                core.receive_data(data)


@pytest.fixture
def server() -> Iterator[ThreadedSsh1Server]:
    device = FakeDevice()
    device.add_rsa_key("admin", USER_KEY)
    with ThreadedSsh1Server(device) as srv:
        yield srv


@pytest.mark.parametrize("cipher", ["3des", "blowfish", "des"])
def test_exec_with_password(server: ThreadedSsh1Server, cipher: str) -> None:
    with Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", password=PASSWORD, cipher=cipher, timeout=5)
        output, status = client.exec("display version")
        assert VERSION_MARK in output and status == 0
        # SSH1 has one session per connection: a second exec reconnects transparently
        output, status = client.exec("no-such-command")
        assert status == 1 and b"Unrecognized" in output
    assert len(server.cores) == 2
    deadline = time.monotonic() + 5  # the server thread reads the EXIT_CONFIRMATION a moment later
    while not all(core.closed for core in server.cores) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all("result=exit status" in core.log_summary() for core in server.cores)


def test_exec_with_rsa_key_file_and_compression(server: ThreadedSsh1Server, tmp_path: Path) -> None:
    key_file = tmp_path / "id_rsa1"
    key_file.write_bytes(dump_private_key(USER_KEY, "test", "phrase"))
    with Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", key=key_file, passphrase="phrase", compression=6)
        assert client.compression_accepted
        output, status = client.exec("display version")
    assert VERSION_MARK in output and status == 0
    assert "auth=rsa" in server.cores[0].log_summary() and "compression=zlib" in server.cores[0].log_summary()


def test_shell_read_until_prompt(server: ThreadedSsh1Server) -> None:
    client = Ssh1Client()
    client.connect("127.0.0.1", server.port, "admin", password=PASSWORD)
    client.open_shell(width=120, height=40)
    assert client.read_until(re.compile(rb"<\S+>"), timeout=5).endswith(b"<SW7906E>")
    client.send("display version\r")
    text = client.read_until("<SW7906E>", timeout=5)
    assert VERSION_MARK in text
    assert client.read_until(timeout=0.2) == b""
    client.send(b"quit\r")
    client.read_until(timeout=2)
    assert client.exit_status == 0 and not client.connected
    client.close()


def test_wrong_password_raises(server: ThreadedSsh1Server) -> None:
    with pytest.raises(Ssh1AuthenticationError), Ssh1Client() as client:
        client.connect("127.0.0.1", server.port, "admin", password="wrong", timeout=5)


def test_ssh2_only_server_is_reported(server: ThreadedSsh1Server) -> None:
    with ThreadedSsh1Server(server.device, server_line="SSH-2.0-Comware-5.20") as ssh2_only:
        with pytest.raises(Ssh1Error, match="Protocol major versions differ"), Ssh1Client() as client:
            client.connect("127.0.0.1", ssh2_only.port, "admin", password=PASSWORD, timeout=5)


def test_connection_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(Ssh1Error, match="cannot connect"):
        Ssh1Client().connect("127.0.0.1", port, "admin", password=PASSWORD, timeout=2)
