"""Peer server for the handshake benchmark: asyncssh, restricted to the benchmark's algorithms.

    python bench/peer_asyncssh.py --listen 127.0.0.1:PORT --host-key KEYFILE

Password auth for the benchmark user, an exec handler that prints the profile's
``display version`` text and exits 0. Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncssh  # noqa: E402
import common  # noqa: E402

TEXT = common.version_text()
USER = common.USER.encode()
PASSWORD = common.PASSWORD.encode()


class BenchServer(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        ok_user = hmac.compare_digest(username.encode(), USER)
        ok_pass = hmac.compare_digest(password.encode(), PASSWORD)
        return ok_user and ok_pass


def handle(process: asyncssh.SSHServerProcess) -> None:
    if process.command is not None and process.command.strip() == common.COMMAND:
        process.stdout.write(TEXT)
        process.exit(0)
    else:
        process.stdout.write("\r\n% Unrecognized command found at '^' position.\r\n")
        process.exit(1)


async def run(host: str, port: int, key_path: str) -> None:
    key = asyncssh.read_private_key(key_path)  # loaded once, not per connection
    server = await asyncssh.create_server(
        BenchServer,
        host,
        port,
        server_host_keys=[key],
        kex_algs=["curve25519-sha256"],
        encryption_algs=common.CIPHER,
        mac_algs=common.MAC,
        compression_algs=common.COMPRESSION,
        process_factory=handle,
        allow_scp=False,
        agent_forwarding=False,
        x11_forwarding=False,
        gss_host=None,  # no GSS-API: otherwise every login looks up this host's FQDN (as our server does not)
        backlog=512,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"asyncssh {asyncssh.__version__} listening on {host}:{port}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--host-key", required=True, help="Ed25519 private key (OpenSSH format)")
    parser.add_argument("--text", help="file with the exact `display version` output to send")
    args = parser.parse_args()
    global TEXT
    if args.text:
        TEXT = Path(args.text).read_bytes().decode("utf-8")
    logging.basicConfig(level=logging.WARNING)
    host, _, port = args.listen.rpartition(":")
    # Same event loop as our server gets (agent.main.run_event_loop): uvloop when installed.
    try:
        import uvloop
    except ImportError:
        asyncio.run(run(host, int(port), args.host_key))
    else:
        uvloop.run(run(host, int(port), args.host_key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
