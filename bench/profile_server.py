"""Profile our SSH server's CPU per connection with cProfile.

    .venv/bin/python bench/profile_server.py [--count 300] [--concurrency 1] [--top 30] [--out FILE.pstats]

Runs ``switch-agent serve`` (agent.main) in this process, on 127.0.0.1 and a free port with a
temporary state folder. A helper thread drives the benchmark's client (bench/client.py, its own
process): a warm-up batch, then SIGUSR1 turns the profiler on (in the main thread, where the
asyncio loop runs), ``--count`` connections, SIGUSR2 turns it off, SIGTERM stops the server.
It then prints the top entries by own time and by cumulative time, and the profiled CPU per
connection. cProfile adds overhead: use the ranking, not the absolute figures (those come from
bench/handshake.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import common  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="profiled connections")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", help="also save the raw pstats here")
    parser.add_argument("--timeout", type=float, default=300.0, help="global time limit in seconds")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    port = common.free_port()
    # CPU time of the main thread (where the asyncio loop runs), not wall time: with the default
    # wall clock, time blocked in epoll would show up as the top entry.
    profiler = cProfile.Profile(time.thread_time)
    state = {"t0": 0.0, "t1": 0.0, "cpu0": 0.0, "cpu1": 0.0, "result": None, "error": None}
    me = os.getpid()

    def on_usr1(signum, frame):  # noqa: ANN001
        state["t0"], state["cpu0"] = time.perf_counter(), time.thread_time()
        profiler.enable()

    def on_usr2(signum, frame):  # noqa: ANN001
        profiler.disable()
        state["t1"], state["cpu1"] = time.perf_counter(), time.thread_time()

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGUSR2, on_usr2)

    def client(count: int, warmup: int, limit: float) -> dict:
        argv = [
            sys.executable,
            str(BENCH / "client.py"),
            "--port",
            str(port),
            "--server-pid",
            str(me),
            "--count",
            str(count),
            "--warmup",
            str(warmup),
            "--concurrency",
            str(args.concurrency),
            "--timeout",
            str(limit),
        ]
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=limit + 10, stdin=subprocess.DEVNULL
        )
        if not proc.stdout.strip().startswith("{"):
            raise RuntimeError(f"client failed: {proc.stderr.strip()[-800:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def drive() -> None:
        try:
            common.wait_for_banner("127.0.0.1", port, lambda: None, 60)
            client(args.warmup, 0, args.timeout / 3)
            os.kill(me, signal.SIGUSR1)
            time.sleep(0.2)
            state["result"] = client(args.count, 0, args.timeout / 2)
            os.kill(me, signal.SIGUSR2)
            time.sleep(0.2)
        except Exception as exc:  # noqa: BLE001
            state["error"] = exc
        finally:
            os.kill(me, signal.SIGTERM)

    def watchdog() -> None:
        time.sleep(args.timeout)
        os.kill(me, signal.SIGTERM)

    threading.Thread(target=drive, daemon=True).start()
    threading.Thread(target=watchdog, daemon=True).start()

    from agent.main import main as agent_main

    try:
        agent_main(
            [
                "serve",
                "--profile",
                str(common.PROFILE),
                "--listen",
                f"127.0.0.1:{port}",
                "--state",
                str(tmp / "state"),
                "--user",
                f"{common.USER}:{common.PASSWORD}:3",
            ]
        )
    finally:
        profiler.disable()
        shutil.rmtree(tmp, ignore_errors=True)

    if state["error"] is not None:
        print(f"profile run failed: {state['error']}", file=sys.stderr)
        return 1
    result = state["result"] or {}
    done = result.get("ok") or args.count
    cpu = state["cpu1"] - state["cpu0"]
    print(
        f"\nprofiled {done} connections (concurrency {args.concurrency}): "
        f"{cpu * 1000 / done:.2f} ms CPU per connection in the server's main thread under cProfile "
        f"(unprofiled figure: see bench/handshake.py), {result.get('conn_per_s', 0):.0f} conn/s"
    )
    if args.out:
        profiler.dump_stats(args.out)
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats(key).print_stats(args.top)
        print(f"\n==== top {args.top} by {key} (totals over {done} connections) ====")
        text = buf.getvalue()
        text = text[text.find("   ncalls") :] if "   ncalls" in text else text
        for prefix in sorted(
            {str(ROOT) + "/", *(p + "/" for p in sys.path if p.endswith("site-packages"))},
            key=len,
            reverse=True,
        ):
            text = text.replace(prefix, "")
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
