"""Misbehaving SSH peers for the fleet tests, each a real paramiko server in its own process.

    python -m tests.interop.fleet_peers impostor PORT RECORD   # any host key; writes every password it gets to RECORD
    python -m tests.interop.fleet_peers stream PORT            # logs in, then answers `display ...` with endless output
    python -m tests.interop.fleet_peers garbage PORT           # sends bytes that are no SSH identification

Each prints ``ready`` once it listens and serves until killed.
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path

import paramiko


class _Server(paramiko.ServerInterface):
    def __init__(self, record: Path | None) -> None:
        self.record = record

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        if self.record is not None:
            with open(self.record, "a", encoding="utf-8") as handle:
                handle.write(f"{username} {password}\n")
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: object) -> bool:
        return True


def _shell(channel: paramiko.Channel) -> None:
    """A Comware-like prompt; any `display ...` command streams output until the client leaves."""
    prompt = b"\r\n<STREAM>"
    channel.sendall(b"******************\r\n* Copyright (c) *\r\n******************" + prompt)
    line = b""
    block = b"".join(b" interface GigabitEthernet1/0/%d\r\n  description streaming\r\n" % i for i in range(200))
    try:
        while True:
            data = channel.recv(1024)
            if not data:
                return
            channel.sendall(data)  # echo
            line += data
            while b"\n" in line or b"\r" in line:
                cut = min(i for i in (line.find(b"\n"), line.find(b"\r")) if i >= 0)
                command, line = line[:cut].strip(), line[cut + 1:]
                if command.startswith(b"display"):
                    while True:
                        channel.sendall(block)
                channel.sendall(prompt)
    except (OSError, EOFError, paramiko.SSHException):
        return


def _serve_ssh(port: int, record: Path | None) -> None:
    host_key = paramiko.ECDSAKey.generate()  # a key of its own: not the device's
    listener = socket.create_server(("127.0.0.1", port))
    print("ready", flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=_session, args=(sock, host_key, record), daemon=True).start()


def _session(sock: socket.socket, host_key: paramiko.PKey, record: Path | None) -> None:
    transport = paramiko.Transport(sock)
    transport.add_server_key(host_key)
    try:
        transport.start_server(server=_Server(record))
        channel = transport.accept(30)
        if channel is not None:
            _shell(channel)
    except (OSError, EOFError, paramiko.SSHException):
        pass
    finally:
        transport.close()


def _serve_garbage(port: int) -> None:
    listener = socket.create_server(("127.0.0.1", port))
    print("ready", flush=True)
    while True:
        sock, _ = listener.accept()
        try:
            sock.sendall(b"\x00\xffHTTP/1.1 400 Bad Request\r\n\x16\x03\x01garbage\r\n")
        except OSError:
            pass
        threading.Timer(30, sock.close).start()


def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    if kind == "garbage":
        _serve_garbage(port)
    else:
        _serve_ssh(port, Path(argv[2]) if kind == "impostor" else None)


if __name__ == "__main__":
    main(sys.argv[1:])
