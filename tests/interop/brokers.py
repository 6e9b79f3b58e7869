"""Real brokers for the Celery tests, each started on 127.0.0.1 ports of its own and stopped by PID.

* Redis: ``redis-server`` with no persistence, in a temporary folder.
* RabbitMQ: Debian's ``rabbitmq-server`` with its own node name, AMQP and distribution ports,
  mnesia/log/config folders and its own ``epmd`` (on its own port through ``ERL_EPMD_PORT``; a
  system epmd is never touched). The server script runs in a session of its own and is stopped
  with SIGTERM (it stops the Erlang node cleanly), then the epmd we started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # the script itself: the sbin wrapper switches user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, process: subprocess.Popen[bytes], timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"broker exited with {process.returncode}: {text}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"broker not listening on 127.0.0.1:{port} after {timeout:.0f}s")


def _stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the node it started goes too
            process.wait(10)


def missing(kind: str) -> str | None:
    """Why ``kind`` cannot run here, or None."""
    if kind == "redis":
        return None if shutil.which("redis-server") else "redis-server is not installed (scripts/setup.sh)"
    if not (Path(RABBITMQ_SERVER).exists() and shutil.which("epmd")):
        return "rabbitmq-server is not installed (scripts/setup.sh)"
    return None


@contextmanager
def redis_broker(folder: Path) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_port(port, process, 15)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextmanager
def rabbitmq_broker(folder: Path) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    amqp, dist, epmd_port = free_port(), free_port(), free_port()
    (folder / "home").mkdir(exist_ok=True)
    (folder / "enabled_plugins").write_text("[].\n")
    (folder / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{amqp}\nloopback_users.guest = true\n")
    env = dict(
        os.environ,
        HOME=str(folder / "home"),  # the Erlang cookie lives here
        ERL_EPMD_PORT=str(epmd_port),
        ERL_EPMD_ADDRESS="127.0.0.1",
        RABBITMQ_NODENAME=f"switch-agent-test-{os.getpid()}-{amqp}@localhost",
        RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
        RABBITMQ_NODE_PORT=str(amqp),
        RABBITMQ_DIST_PORT=str(dist),
        RABBITMQ_MNESIA_BASE=str(folder / "mnesia"),
        RABBITMQ_LOG_BASE=str(folder / "log"),
        RABBITMQ_LOGS=str(folder / "log" / "rabbit.log"),
        RABBITMQ_ENABLED_PLUGINS_FILE=str(folder / "enabled_plugins"),
        RABBITMQ_CONFIG_FILE=str(folder / "rabbitmq"),
        RABBITMQ_PID_FILE=str(folder / "rabbit.pid"),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
    )
    log = folder / "server.log"
    epmd = subprocess.Popen(["epmd", "-port", str(epmd_port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    server = None
    try:
        _wait_port(epmd_port, epmd, 10)
        with open(log, "wb") as handle:
            server = subprocess.Popen([RABBITMQ_SERVER], env=env, stdout=handle, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        _wait_port(amqp, server, 90, log)
        yield f"amqp://guest:guest@127.0.0.1:{amqp}//"
    finally:
        if server is not None:
            _stop(server)
        _stop(epmd, 10)


BROKERS = {"redis": redis_broker, "rabbitmq": rabbitmq_broker}
