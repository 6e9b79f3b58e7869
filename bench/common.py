"""Shared helpers of the benchmarks: algorithm set, /proc CPU accounting, process and port handling.

Only the standard library (plus PyYAML, already a project dependency) so that the peer servers
and the client driver can import it in their own processes.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "device_profiles" / "3com-s7906e.yaml"

# The one algorithm set every server and the client are restricted to.
# paramiko only knows curve25519 under its libssh.org name (the same algorithm, RFC 8731);
# the client offers both names, each server offers one (asyncssh/ours: the RFC name).
KEX = ["curve25519-sha256", "curve25519-sha256@libssh.org"]
HOST_KEY = ["ssh-ed25519"]
CIPHER = ["aes128-ctr"]
MAC = ["hmac-sha2-256"]
COMPRESSION = ["none"]

USER = "bench"
PASSWORD = "bench-secret"
COMMAND = "display version"

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_user_sys_seconds(pid: int) -> tuple[float, float]:
    """(utime, stime) of a whole process (all its threads, live and exited) from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        data = fh.read()
    # comm (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = data[data.rindex(b")") + 2 :].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK  # fields 14 and 15 of proc(5)


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a whole process from /proc/PID/stat (10 ms ticks)."""
    return sum(proc_user_sys_seconds(pid))


def proc_cpu_clock_seconds(pid: int) -> float | None:
    """The same utime+stime at nanosecond resolution: the process's CPU-time clock.

    Linux gives every process a POSIX CPU clock (clock_getcpuclockid(3)); its id is
    ``(~pid << 3) | CPUCLOCK_SCHED``. It sums all threads, exited ones included, like
    /proc/PID/stat, but without the 10 ms tick granularity. None if the kernel refuses.
    """
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except OSError:
        return None


def proc_rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (VmRSS of /proc/PID/status), 0 if unknown."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def version_text() -> str:
    """The profile's ``display version`` text with CR LF line ends (what the peers print)."""
    import yaml

    with open(PROFILE) as fh:
        data = yaml.safe_load(fh)
    text = data["identity"]["version_text"]
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_banner(host: str, port: int, alive, timeout: float = 30.0) -> str:
    """Poll until the server on ``port`` sends an SSH identification line; return it.

    ``alive()`` is called between attempts; it raises if the server process died.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        alive()
        try:
            with socket.create_connection((host, port), timeout=2.0) as sock:
                sock.settimeout(5.0)
                data = b""
                while b"\n" not in data and len(data) < 1024:
                    chunk = sock.recv(1024)
                    if not chunk:
                        break
                    data += chunk
                for line in data.split(b"\n"):
                    if line.startswith(b"SSH-"):
                        return line.decode("ascii", "replace").strip()
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"no SSH banner on {host}:{port} after {timeout:.0f}s ({last})")
