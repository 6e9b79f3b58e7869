"""Profile our SSH server's CPU per connection: cProfile, or protocol steps timed in place.

    .venv/bin/python bench/profile_server.py [--count 300] [--concurrency 1] [--top 30] [--out FILE.pstats]
    .venv/bin/python bench/profile_server.py --steps [--count 1000]

Runs ``switch-agent serve`` (agent.main) in this process, on 127.0.0.1 and a free port with a
temporary state folder. A helper thread drives the benchmark's client (bench/client.py, its own
process): a warm-up batch, then SIGUSR1 turns the measurement on (in the main thread, where the
asyncio loop runs), ``--count`` connections, SIGUSR2 turns it off, SIGTERM stops the server.

Default: cProfile, then the top entries by own and by cumulative time and the profiled CPU per
connection. cProfile adds overhead to every call: use the ranking, not the absolute figures
(those come from bench/handshake.py).

``--steps``: no profiler; a fixed list of protocol steps (each SSH-2 message type handled, the
key exchange's pieces, packet framing, the CLI, the driver's callbacks and writes) is wrapped
with ``time.perf_counter_ns`` and the microseconds per connection each one took are printed.
Steps nest (a message's time includes the crypto it ran), and the wrappers add about 10% to
the total. This shows what a step costs in a live server, between waits for the client,
where caches are cold, against what the same code costs in a tight loop.

Both modes run the SSH-2 modules from source (SWITCH_AGENT_PURE=1, agent/native.py): neither
cProfile nor the step wrappers can see inside the mypyc-compiled build that `serve` runs.
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
os.environ["SWITCH_AGENT_PURE"] = "1"  # before agent is imported: profile the sources
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import common  # noqa: E402

# (module, class or None, function, label): the steps --steps times, outermost first
STEPS = [
    ("agent.server.driver", "ConnectionDriver", "connection_made", "driver: accept, identification line out"),
    ("agent.server.driver", "ConnectionDriver", "data_received", "driver: all socket reads"),
    ("agent.server.driver", "ConnectionDriver", "_pump", "driver: writes and timer"),
    ("agent.server.driver", "ConnectionDriver", "connection_lost", "driver: connection end, log note"),
    ("agent.server.driver", "ConnectionDriver", "_version_stage", "driver: client line, engine start"),
    ("agent.ssh2.server", "Ssh2ServerCore", "__init__", "core: new connection, KEXINIT out"),
    ("agent.ssh2.packet", "PacketReader", "next_payload", "packets in: decrypt, MAC check"),
    ("agent.ssh2.packet", "PacketWriter", "pack", "packets out: pad, encrypt, MAC"),
    ("agent.ssh2.algorithms.kex", "KexServer", "handle", "kex: reply to the client's value"),
    ("agent.ssh2.algorithms.kex", None, "_x25519_secret", "kex: X25519 exchange"),
    ("agent.ssh2.algorithms.kex", "_X25519", "__init__", "kex: X25519 key pair (batched)"),
    ("agent.ssh2.algorithms.kex", None, "exchange_hash", "kex: exchange hash"),
    ("agent.ssh2.algorithms.hostkey", "HostKey", "sign", "kex: host key signature"),
    ("agent.ssh2.transport", "Transport", "_install_keys", "kex: key derivation, cipher set-up"),
    ("agent.ssh2.auth", "ServerAuth", "handle", "auth: requests"),
    ("agent.cli.session", "CliSession", "execute", "cli: exec command"),
]


class StepTimers:
    """Wraps the STEPS with perf_counter_ns timers that count only while enabled."""

    def __init__(self) -> None:
        import importlib

        self.totals: dict[str, int] = {}
        self.on = False
        for module_name, class_name, function, label in STEPS:
            owner = importlib.import_module(module_name)
            if class_name is not None:
                owner = getattr(owner, class_name)
            setattr(owner, function, self._wrap(getattr(owner, function), label))
        self._wrap_messages()

    def _wrap(self, func, label):  # noqa: ANN001, ANN202
        """``func`` timed under ``label`` (a string, or a function of the call's arguments)."""
        clock, totals = time.perf_counter_ns, self.totals

        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if not self.on:
                return func(*args, **kwargs)
            start = clock()
            try:
                return func(*args, **kwargs)
            finally:
                name = label if isinstance(label, str) else label(args)
                totals[name] = totals.get(name, 0) + clock() - start

        return timed

    def _wrap_messages(self) -> None:
        """One step per SSH-2 message type the server handles (KEXINIT, KEXDH_INIT, ...)."""
        from agent.ssh2 import transport

        handle = transport.Transport._handle_payload
        transport.Transport._handle_payload = self._wrap(handle, lambda args: f"message {args[1][0]} in")

    def enable(self) -> None:
        self.on = True

    def disable(self) -> None:
        self.on = False


def _users_file(tmp: Path) -> Path:
    """The benchmark user in a --users-file (a password never goes on a command line)."""
    from agent.lab.process import write_users_file

    path = tmp / "users"
    write_users_file(path, [f"{common.USER}:{common.PASSWORD}:3"])
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="profiled connections")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", help="also save the raw pstats here")
    parser.add_argument("--timeout", type=float, default=300.0, help="global time limit in seconds")
    parser.add_argument("--steps", action="store_true", help="time protocol steps in place instead of cProfile")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    port = common.free_port()
    # CPU time of the main thread (where the asyncio loop runs), not wall time: with the default
    # wall clock, time blocked in epoll would show up as the top entry.
    profiler = StepTimers() if args.steps else cProfile.Profile(time.thread_time)
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
                "--users-file",
                str(_users_file(tmp)),
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
    if isinstance(profiler, StepTimers):
        print(
            f"\n{done} connections (concurrency {args.concurrency}): {cpu * 1000 / done:.2f} ms CPU per "
            f"connection in the server's main thread with the step timers; microseconds per connection:"
        )
        for name, total_ns in sorted(profiler.totals.items(), key=lambda item: -item[1]):
            print(f"  {name:45s} {total_ns / done / 1000:8.1f}")
        return 0
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
