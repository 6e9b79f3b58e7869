"""Start ``switch-agent lab`` as a child process and stop it: for tests, benchmarks and scripts.

A lab in its own process keeps the emulated devices' CPU (SSH handshakes) off the controller's
GIL, as with real switches.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]


def write_users_file(path: Path, users: list[str]) -> None:
    """A ``--users-file``: one NAME:PASSWORD[:LEVEL] per line, mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{user}\n" for user in users))


class LabProcess:
    """``with LabProcess(state, inventory, ...) as lab:`` starts the lab, waits until ready, stops it."""

    def __init__(
        self,
        state: Path,
        inventory: Path,
        *,
        spec: Path | None = None,
        profile: str = "device_profiles/3com-s7906e.yaml",
        count: int = 1,
        users: list[str] | None = None,
        processes: int = 1,
        listen: str = "127.0.0.1:0",
        extra: list[str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.state, self.inventory = Path(state), Path(inventory)
        self.log = log or self.state.parent / f"{self.state.name}-lab.log"
        cmd = [sys.executable, "-m", "agent", "lab", "--state", str(self.state), "--inventory", str(self.inventory),
               "--listen", listen, "--processes", str(processes)]
        cmd += ["--spec", str(spec)] if spec else ["--profile", str(ROOT / profile) if not Path(profile).is_absolute()
                                                    else profile, "--count", str(count)]
        if users:
            # NAME:PASSWORD[:LEVEL] lines in a file only we may read, never on the command line.
            users_file = self.state.parent / f"{self.state.name}-users"
            write_users_file(users_file, users)
            cmd += ["--users-file", str(users_file)]
        self.cmd = cmd + (extra or [])
        self.process: subprocess.Popen[bytes] | None = None
        self.ready_line = ""
        self.started_seconds = 0.0

    def start(self, timeout: float = 120.0) -> LabProcess:
        if self.process is not None:
            raise RuntimeError("this lab is already running; stop() it first")
        self.state.parent.mkdir(parents=True, exist_ok=True)
        if self.inventory.is_dir():  # a Nornir SimpleInventory folder
            shutil.rmtree(self.inventory)
        elif self.inventory.exists():
            self.inventory.unlink()
        started = time.monotonic()
        with open(self.log, "wb") as handle:
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            self.process = subprocess.Popen(self.cmd, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env)
        deadline = started + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace") if self.log.exists() else ""
            for line in text.splitlines():
                if line.startswith("lab ready"):
                    self.ready_line = line
                    self.started_seconds = time.monotonic() - started
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"lab exited with {self.process.returncode}:\n{text[-3000:]}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"lab not ready after {timeout:.0f}s")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait; SIGKILL only if it does not exit in time. Returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        code = self.process.returncode
        self.process = None
        return code

    def __enter__(self) -> LabProcess:
        """Start unless already started (``with lab.start():`` and ``with lab:`` both work)."""
        return self if self.process is not None else self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
