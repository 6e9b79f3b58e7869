"""Peer server for the handshake benchmark: paramiko, restricted to the benchmark's algorithms.

    python bench/peer_paramiko.py --listen 127.0.0.1:PORT --host-key KEYFILE

paramiko is thread based: the main thread accepts, each connection gets a handler thread
(plus the Transport's own thread). Password auth for the benchmark user, an exec request
prints the profile's ``display version`` text and exits 0. Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import signal
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import paramiko  # noqa: E402

TEXT = common.version_text().encode()
USER = common.USER.encode()
PASSWORD = common.PASSWORD.encode()
HANDSHAKE_TIMEOUT = 30.0


class BenchServer(paramiko.ServerInterface):
    def __init__(self) -> None:
        self.command: bytes | None = None
        self.exec_event = threading.Event()

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        ok_user = hmac.compare_digest(username.encode(), USER)
        ok_pass = hmac.compare_digest(password.encode(), PASSWORD)
        return paramiko.AUTH_SUCCESSFUL if ok_user and ok_pass else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.command = bytes(command)
        self.exec_event.set()
        return True


def handle(sock: socket.socket, host_key: paramiko.PKey) -> None:
    transport = None
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport = paramiko.Transport(sock)
        opts = transport.get_security_options()
        opts.kex = ("curve25519-sha256@libssh.org",)
        opts.key_types = tuple(common.HOST_KEY)
        opts.ciphers = tuple(common.CIPHER)
        opts.digests = tuple(common.MAC)
        opts.compression = tuple(common.COMPRESSION)
        transport.add_server_key(host_key)
        server = BenchServer()
        transport.start_server(server=server)
        channel = transport.accept(HANDSHAKE_TIMEOUT)
        if channel is None:
            return
        if not server.exec_event.wait(HANDSHAKE_TIMEOUT):
            return
        if server.command is not None and server.command.strip() == common.COMMAND.encode():
            channel.sendall(TEXT)
            channel.send_exit_status(0)
        else:
            channel.sendall(b"\r\n% Unrecognized command found at '^' position.\r\n")
            channel.send_exit_status(1)
        channel.shutdown_write()
        channel.close()
        # Let the client close the connection (as the other servers do), bounded in time.
        transport.join(HANDSHAKE_TIMEOUT)
    except Exception as exc:  # a failed connection must not stop the server
        logging.getLogger("peer_paramiko").warning("connection failed: %r", exc)
    finally:
        if transport is not None:
            transport.close()
        else:
            sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--host-key", required=True, help="Ed25519 private key (OpenSSH format)")
    parser.add_argument("--text", help="file with the exact `display version` output to send")
    args = parser.parse_args()
    global TEXT
    if args.text:
        TEXT = Path(args.text).read_bytes()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    host, _, port = args.listen.rpartition(":")
    host_key = paramiko.Ed25519Key.from_private_key_file(args.host_key)  # loaded once

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(512)
    listener.settimeout(0.5)

    stopping = threading.Event()

    def on_signal(signum, frame) -> None:  # noqa: ANN001
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"paramiko {paramiko.__version__} listening on {host}:{port}", flush=True)
    while not stopping.is_set():
        try:
            sock, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            if stopping.is_set():
                break
            raise
        sock.settimeout(None)
        threading.Thread(target=handle, args=(sock, host_key), daemon=True).start()
    listener.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
