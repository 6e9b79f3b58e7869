"""Start ``switch-agent serve`` as a real process on 127.0.0.1 for interop tests (and stop it)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agent.lab.process import write_users_file

ROOT = Path(__file__).resolve().parents[2]
LEGACY_OPENSSL = ROOT / "tests" / "fixtures" / "openssl-legacy.cnf"  # DES/Blowfish for ssh1
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]


@dataclass
class RunningSwitch:
    host: str
    port: int
    state: Path
    process: subprocess.Popen[str]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def log_lines(self) -> list[str]:
        """The log's complete lines: the server writes in batches, so the last line may be half written."""
        text = self.log_text()
        return text[: text.rfind("\n") + 1].splitlines()

    def wait_log(self, pattern: str, count: int = 1, timeout: float = 10.0) -> str:
        """Wait until ``pattern`` (a regex) has appeared ``count`` times in the log; return the last match's line.

        The connection log line is written when the server sees the socket close, which can
        be just after the client process has exited.
        """
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.log_lines() if re.search(pattern, line)]
            if len(lines) >= count:
                return lines[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"log never showed {pattern!r} x{count}:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)

    def connection_lines(self, quiet: float = 0.15, timeout: float = 5.0) -> int:
        """How many connections the server has logged, once earlier connections have finished logging.

        A connection is logged when the server sees its socket close, which can be a moment after
        the client process has exited; waiting for the log to stay still for ``quiet`` seconds
        keeps a previous test's late line from being taken for this test's.
        """
        deadline = time.monotonic() + timeout
        size = len(self.log_text())
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.03)
            now_size = len(self.log_text())
            if now_size != size:
                size, still_since = now_size, time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                break
        return sum(" peer=" in line for line in self.log_lines())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_switch(
    state: Path,
    users: list[str],
    profile: str = "device_profiles/3com-s7906e.yaml",
    extra: list[str] | None = None,
    timeout: float = 30.0,
    open_files: int | None = None,
) -> Iterator[RunningSwitch]:
    """``switch-agent serve`` on a free port; ``open_files`` sets its RLIMIT_NOFILE (soft and hard)."""
    port = free_port()
    log = state.parent / f"{state.name}-serve.log"
    cmd = [sys.executable, "-m", "agent", "serve", "--profile", str(ROOT / profile), "--listen", f"127.0.0.1:{port}"]
    cmd += ["--state", str(state)]
    if users:
        users_file = state.parent / f"{state.name}-users"
        write_users_file(users_file, users)  # passwords never on the command line
        cmd += ["--users-file", str(users_file)]
    cmd += extra or []
    with open(log, "w") as log_handle:
        process = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log_handle, text=True,
            preexec_fn=(lambda: _limit_files(open_files)) if open_files else None,
        )
    try:
        deadline = time.monotonic() + timeout
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if "listening on" in line:
                break
            if process.poll() is not None:
                raise RuntimeError(f"switch-agent exited early: {log.read_text()}")
        else:
            raise RuntimeError("switch-agent did not start in time")
        yield RunningSwitch("127.0.0.1", port, state, process, log)
    finally:
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()


def _limit_files(count: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:  # type: ignore[type-arg]
    """SIGTERM (the clean stop every server here handles), then SIGKILL if it does not exit."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def need(*tools: str) -> None:
    """Skip (with the reason) when a client binary is not installed; scripts/setup.sh installs them."""
    import pytest

    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (run scripts/setup.sh as root)")


def run(cmd: list[str], timeout: float = 60, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=full_env, input=input if input is not None else "",
        errors="replace",
    )
