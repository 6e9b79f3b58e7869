"""Where the controller's CPU goes per device in one ``switch-agent fleet`` push.

Starts a lab of N devices in its own process, learns their host keys with a first push, then
pushes a changed template once more with every phase of a device's push timed in thread CPU
time (``time.thread_time``: the calling thread only, so 100 threads in flight do not blur each
other): netmiko's login (TCP, key exchange and authentication as the worker thread sees them),
netmiko's Comware session preparation, each read, parsing and diffing, the configuration
session, the save and the close. paramiko runs one more thread per connection (packet
decryption, the key exchange's crypto); its CPU is taken when that thread ends. What is left of
the process's CPU time (getrusage) is the runner: thread pool, rendering, the report.

The phases are measured by wrapping the controller's functions in this script only; the
controller itself carries no timing code.

    .venv/bin/python bench/fleet_cpu.py --devices 200
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fleet_bench import PASSWORD, ours, template  # noqa: E402

_lock = threading.Lock()
_cpu: dict[str, float] = defaultdict(float)
_calls: dict[str, int] = defaultdict(int)
_local = threading.local()


def _add(label: str, seconds: float) -> None:
    with _lock:
        _cpu[label] += seconds
        _calls[label] += 1


def timed(owner: Any, name: str, label: str | None = None) -> None:
    """Wrap ``owner.name`` so that its thread CPU time counts under ``label`` (outermost call only)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if getattr(_local, "inside", False):
            return original(*args, **kwargs)
        _local.inside = True
        start = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            _add(label or name, time.thread_time() - start)
            _local.inside = False

    setattr(owner, name, wrapper)


def instrument() -> None:
    import paramiko
    from netmiko.base_connection import BaseConnection

    from agent.fleet import configdiff, transport

    timed(BaseConnection, "establish_connection", "login: TCP, key exchange, authentication (worker thread)")
    timed(BaseConnection, "_try_session_preparation", "netmiko session preparation (prompt, screen-length)")
    timed(transport.NetmikoConnection, "close", "close (netmiko disconnect)")
    timed(transport.NetmikoConnection, "send_config", "configuration session (one write, echo check)")
    timed(transport.NetmikoConnection, "save", "save force")
    original_send = transport.NetmikoConnection.send_command

    def send_command(self: Any, command: str) -> str:
        if getattr(_local, "inside", False):
            return original_send(self, command)
        _local.inside = True
        start = time.thread_time()
        try:
            return original_send(self, command)
        finally:
            _add(f"read: {command}", time.thread_time() - start)
            _local.inside = False

    transport.NetmikoConnection.send_command = send_command  # type: ignore[method-assign]
    timed(transport.NetmikoConnection, "send_commands", "read: running and saved configuration (one write)")
    for name in ("parse_config", "diff", "config_delta"):
        timed(configdiff, name, "parse and diff")

    run = paramiko.Transport.run

    def transport_run(self: Any) -> None:
        try:
            run(self)
        finally:
            _add("paramiko transport thread (key exchange crypto, packets)", time.thread_time())

    paramiko.Transport.run = transport_run  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--json", help="write the breakdown here")
    args = parser.parse_args()
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)

    from agent.lab.process import LabProcess

    with tempfile.TemporaryDirectory(prefix="fleet-cpu-") as tmp:
        work = Path(tmp)
        lab = LabProcess(work / "state", work / "lab.yaml", count=args.devices, users=[f"admin:{PASSWORD}:3"],
                         log=work / "lab.log")
        with lab.start(timeout=300):
            ours(lab.inventory, template(work, "learn"), args.workers)()  # host keys learned, devices changed
            run = ours(lab.inventory, template(work, "measured"), args.workers)
            instrument()
            before = resource.getrusage(resource.RUSAGE_SELF)
            started = time.monotonic()
            total, failed = run()
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_SELF)
    process = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    rows = sorted(_cpu.items(), key=lambda kv: -kv[1])
    accounted = sum(_cpu.values())
    rows.append(("runner, threads, rendering, report (the rest of the process)", process - accounted))
    out = {"devices": total, "failed": failed, "seconds": round(wall, 2), "cpu_ms_per_device": round(1000 * process / total, 2),
           "phases_ms_per_device": {k: round(1000 * v / total, 3) for k, v in rows}}
    print(f"{total} devices ({failed} failed) in {wall:.2f} s; controller CPU {1000 * process / total:.2f} ms per device")
    for label, seconds in rows:
        print(f"  {1000 * seconds / total:6.2f} ms  {100 * seconds / process:5.1f}%  {label}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
