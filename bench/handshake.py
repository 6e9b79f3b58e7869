"""SSH handshake benchmark: switch-agent's SSH-2 server against asyncssh and paramiko servers.

    .venv/bin/python bench/handshake.py [--count 300] [--concurrency 1,8] [--reps 5] [--markdown]

One run starts three servers on 127.0.0.1, each in its own process:

* ours:     ``python -m agent serve --profile device_profiles/3com-s7906e.yaml ...``
* asyncssh: bench/peer_asyncssh.py (asyncio, one process)
* paramiko: bench/peer_paramiko.py (a thread per connection plus paramiko's transport thread)

all restricted to the same algorithms (curve25519-sha256, ssh-ed25519, aes128-ctr,
hmac-sha2-256, no compression), with the same Ed25519 host key for the two peers (ours keeps its
own in its state folder), password auth and an exec ``display version`` that prints the
profile's version text. The same client driver (bench/client.py: asyncssh, its own process)
runs ``--warmup`` connections, then ``--count`` timed ones, and reads the server's CPU time from
/proc/PID/stat before and after. Repetitions are interleaved (ours, asyncssh, paramiko, ours,
...) and the median is reported. Every process started here is stopped on exit, and the whole
run is bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/handshake.py results: begin -->"
END = "<!-- bench/handshake.py results: end -->"
SERVERS = ("ours", "asyncssh", "paramiko")

_started: list[subprocess.Popen] = []


def _users_file(tmp: Path) -> Path:
    """The benchmark user in a --users-file (a password never goes on a command line)."""
    from agent.lab.process import write_users_file

    path = tmp / "users"
    write_users_file(path, [f"{common.USER}:{common.PASSWORD}:3"])
    return path


def _stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    except ProcessLookupError:
        pass


def _stop_all() -> None:
    while _started:
        _stop(_started.pop())


atexit.register(_stop_all)


def _raise_exit(signum, frame):  # noqa: ANN001
    raise SystemExit(128 + signum)


def _raise_timeout(signum, frame):  # noqa: ANN001
    raise TimeoutError("global time limit of the benchmark reached")


# ------------------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    banner: str = ""
    modules: str = ""  # ours: what it printed about its SSH-2 modules (compiled or source)
    error: str = ""
    runs: dict[int, list[dict]] = field(default_factory=dict)

    def start(self, timeout: float) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "wb")
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        out.close()
        _started.append(self.proc)

        def alive() -> None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited with status {self.proc.returncode}")

        self.banner = common.wait_for_banner("127.0.0.1", self.port, alive, timeout)

    def modules_line(self) -> str:
        """What our server printed at start about its SSH-2 modules ("compiled (...)" or "source (why)")."""
        try:
            with open(self.log, errors="replace") as log:
                for _, line in zip(range(20), log, strict=False):
                    if "SSH-2 modules:" in line:
                        return line.split("SSH-2 modules:", 1)[1].strip()
        except OSError:
            pass
        return ""

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def build_servers(tmp: Path, python: str, key: Path) -> dict[str, Server]:
    servers = {}
    port = common.free_port()
    servers["ours"] = Server(
        "ours",
        [
            python,
            "-m",
            "agent",
            "serve",
            "--profile",
            str(common.PROFILE.relative_to(ROOT)),
            "--listen",
            f"127.0.0.1:{port}",
            "--state",
            str(tmp / "ours-state"),
            "--users-file",
            str(_users_file(tmp)),
        ],
        port,
        tmp / "ours.log",
    )
    for name in ("asyncssh", "paramiko"):
        port = common.free_port()
        servers[name] = Server(
            name,
            [python, str(BENCH / f"peer_{name}.py"), "--listen", f"127.0.0.1:{port}", "--host-key", str(key)],
            port,
            tmp / f"{name}.log",
        )
    return servers


def write_host_key(path: Path) -> None:
    """One Ed25519 host key for the peer servers, generated once per run (OpenSSH format)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    path.write_bytes(data)
    path.chmod(0o600)


def run_client(python: str, server: Server, args: argparse.Namespace, concurrency: int, limit: float) -> dict:
    argv = [
        python,
        str(BENCH / "client.py"),
        "--port",
        str(server.port),
        "--server-pid",
        str(server.proc.pid),
        "--count",
        str(args.count),
        "--warmup",
        str(args.warmup),
        "--concurrency",
        str(concurrency),
        "--timeout",
        str(max(5.0, limit - 5)),
    ]
    proc = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=limit, stdin=subprocess.DEVNULL
    )
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if not line.startswith("{"):
        raise RuntimeError(f"client failed (status {proc.returncode}): {proc.stderr.strip()[-800:]}")
    return json.loads(line)


def dump_output(python: str, server: Server, path: Path) -> None:
    argv = [
        python, str(BENCH / "client.py"), "--port", str(server.port), "--server-pid", str(server.proc.pid),
        "--count", "0", "--warmup", "0", "--dump-output", str(path), "--timeout", "60",
    ]  # fmt: skip
    proc = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL
    )
    if proc.returncode != 0 or not path.exists():
        path.unlink(missing_ok=True)
        print(f"could not fetch our display version output: {proc.stderr.strip()[-400:]}", file=sys.stderr)


# ------------------------------------------------------------------------------------------------
def machine_facts() -> dict[str, str]:
    import asyncssh
    import cryptography
    import paramiko

    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        openssl = backend.openssl_version_text()
    except Exception:  # noqa: BLE001
        openssl = "?"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "asyncssh": asyncssh.__version__,
        "paramiko": paramiko.__version__,
        "cryptography": cryptography.__version__,
        "openssl": openssl,
    }


def summarize(runs: list[dict]) -> dict:
    cpu = [r["server_cpu_ms_per_conn"] for r in runs if r.get("server_cpu_ms_per_conn") is not None]
    rate = [r["conn_per_s"] for r in runs]
    client = [r["client_cpu_ms_per_conn"] for r in runs if r.get("client_cpu_ms_per_conn") is not None]
    user = [r["server_user_ms_per_conn"] for r in runs if r.get("server_user_ms_per_conn") is not None]
    system = [r["server_sys_ms_per_conn"] for r in runs if r.get("server_sys_ms_per_conn") is not None]
    return {
        "reps": len(runs),
        "rate": statistics.median(rate) if rate else None,
        "cpu": statistics.median(cpu) if cpu else None,
        "cpu_min": min(cpu) if cpu else None,
        "cpu_max": max(cpu) if cpu else None,
        "client": statistics.median(client) if client else None,
        "user": statistics.median(user) if user else None,
        "sys": statistics.median(system) if system else None,
        "rss_mib": max(r.get("server_rss_kib", 0) for r in runs) / 1024 if runs else None,
        "failures": sum(r["count"] - r["ok"] for r in runs),
    }


def _f(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def table_rows(servers: dict[str, Server], concurrencies: list[int]) -> list[list[str]]:
    rows = []
    for conc in concurrencies:
        for name, server in servers.items():
            runs = server.runs.get(conc, [])
            if server.error and not runs:
                rows.append([name, str(conc), "-", "-", "-", "-", "-", "-", f"not run: {server.error}"])
                continue
            s = summarize(runs)
            rows.append(
                [
                    name,
                    str(conc),
                    _f(s["rate"], ".0f"),
                    _f(s["cpu"], ".2f"),
                    f"{_f(s['cpu_min'], '.2f')}-{_f(s['cpu_max'], '.2f')}",
                    f"{_f(s['user'], '.2f')} / {_f(s['sys'], '.2f')}",
                    _f(s["client"], ".2f"),
                    _f(s["rss_mib"], ".0f"),
                    f"{s['reps']} reps, {s['failures']} failed",
                ]
            )
    return rows


HEADER = [
    "server",
    "concurrency",
    "conn/s",
    "server CPU ms/conn",
    "(min-max)",
    "user / sys ms",
    "client CPU ms/conn",
    "server RSS MiB",
    "runs",
]


def ratio_lines(servers: dict[str, Server], concurrencies: list[int]) -> list[str]:
    lines = []
    for conc in concurrencies:
        ours = servers.get("ours")
        base = summarize(ours.runs.get(conc, []))["cpu"] if ours else None
        parts = []
        for peer in ("asyncssh", "paramiko"):
            other = servers.get(peer)
            cpu = summarize(other.runs.get(conc, []))["cpu"] if other else None
            if base is not None and cpu:
                mark = ""
                if peer == "asyncssh":
                    mark = " (target <= 0.50: " + ("met" if base / cpu <= 0.5 else "NOT met") + ")"
                parts.append(f"ours / {peer} = {base / cpu:.2f}{mark}")
        if parts:
            lines.append(f"concurrency {conc}: server CPU per connection " + ", ".join(parts))
    return lines


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    out = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def render_markdown(
    rows: list[list[str]],
    ratios: list[str],
    facts: dict[str, str],
    command: str,
    servers: dict[str, Server],
    args: argparse.Namespace,
    when: str,
) -> str:
    md = [BEGIN, "", f"### Results ({when})", ""]
    md.append(
        f"Machine: {facts['nproc']} CPUs, {facts['cpu']}, Linux {facts['kernel']}; Python {facts['python']}, "
        f"asyncssh {facts['asyncssh']}, paramiko {facts['paramiko']}, cryptography {facts['cryptography']} "
        f"({facts['openssl']})."
    )
    if "ours" in servers and servers["ours"].modules:
        md.append(f"Our server's SSH-2 modules: {servers['ours'].modules} (agent/native.py).")
    md += ["", "Command:", "", "```sh", command, "```", ""]
    md.append(
        f"{args.count} timed connections per repetition after {args.warmup} warm-up connections; "
        f"median of {args.reps} interleaved repetitions per server and concurrency. "
        "Server CPU = utime+stime of the whole server process (all threads) over the timed batch, read "
        "from its POSIX CPU-time clock (ns resolution; cross-checked against /proc/PID/stat). "
        "user / sys = the same split into user and kernel time from /proc/PID/stat (10 ms ticks). "
        "Client CPU = the client driver process's own CPU time per connection."
    )
    md += ["", "| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    md.append("")
    md += [f"- {line}" for line in ratios]
    nego = []
    for name, server in servers.items():
        info = next(
            (r["negotiated"] for runs in server.runs.values() for r in runs if r.get("negotiated")), None
        )
        if info:
            nego.append(
                f"- {name}: `{info.get('server_version')}`, kex {info.get('kex')}, host key {info.get('host_key')}, "
                f"cipher {info.get('cipher')}, MAC {info.get('mac')}, compression {info.get('compression')}, "
                f"{info.get('output_bytes')} bytes of `display version` output"
            )
    if nego:
        md += ["", "Negotiated (as seen by the client on the first connection):", ""] + nego
    md += ["", END]
    return "\n".join(md)


DOC_INTRO = """# Benchmarks

Benchmarks live in `bench/`; every one runs on 127.0.0.1 only, starts its own servers and stops
them again. Figures below are pasted by the benchmark itself (`--markdown`) from one run; they
are only comparable with figures from the same run.

## SSH handshake (`bench/handshake.py`)

What it measures: the cost of one complete short SSH-2 session, as a network automation tool
opens it: TCP connect, curve25519 key exchange, ssh-ed25519 host key, aes128-ctr +
hmac-sha2-256, password authentication, exec `display version`, read all output, close.
For each of three servers started by the benchmark on the same machine: our server
(`python -m agent serve`), an asyncssh server and a paramiko server (bench/peer_*.py), all
restricted to the same algorithms and driven by the same asyncssh client (bench/client.py, its
own process) The peers send the very bytes our server's `display version` sends
(fetched from it at the start of the run). It reports connections per second (wall clock, one client process) and server CPU
milliseconds per connection: utime+stime of the whole server process (all threads) over the
timed batch, after a warm-up, read from the process's POSIX CPU-time clock (the nanosecond form
of /proc/PID/stat's utime+stime, which the client also reads as a cross-check). Target: our CPU
per connection at most half of asyncssh's.

Run it (a few seconds per repetition; `--markdown` replaces the results section below):

```sh
.venv/bin/python bench/handshake.py --concurrency 1,8 --reps 5 --markdown
```

Options: `--count N` timed connections per repetition (300), `--warmup N` (20), `--concurrency
1,8` (connections in flight in the client), `--reps N` (5), `--servers ours,asyncssh,paramiko`,
`--timeout S` (global limit, 900). The peers check the password with a constant-time compare of
the plain text; our server checks a salted PBKDF2 hash (agent/passwords.py), which is
part of its figure.

Two helpers say where our server's CPU goes: `bench/profile_server.py` runs `serve` under
cProfile (CPU-time clock) for N connections of the same client and prints the top entries by
own and cumulative time; `bench/core_handshake.py` pairs the sans-IO server core with the
sans-IO test client in memory (no sockets, no asyncio) and prints the core's CPU per handshake
and per protocol step (`--plain-password` swaps the PBKDF2 check for a plain compare, as the
peers do).
"""


def update_doc(section: str, path: Path) -> None:
    text = path.read_text() if path.exists() else DOC_INTRO
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    if not text.endswith("\n"):
        text += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="timed connections per repetition")
    parser.add_argument("--warmup", type=int, default=20, help="untimed connections before each timed batch")
    parser.add_argument("--concurrency", default="1", help="comma list of connections in flight, e.g. 1,8")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per server and concurrency")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma list from ours,asyncssh,paramiko")
    parser.add_argument("--timeout", type=float, default=900.0, help="global time limit in seconds")
    parser.add_argument(
        "--start-timeout", type=float, default=60.0, help="seconds to wait for a server banner"
    )
    parser.add_argument(
        "--markdown",
        nargs="?",
        const=str(DOC),
        default=None,
        metavar="FILE",
        help=f"write the results section into FILE (default {DOC.relative_to(ROOT)})",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter for servers and client")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary folder (server logs)")
    args = parser.parse_args(argv)

    concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    names = [n.strip() for n in args.servers.split(",") if n.strip()]
    if bad := [n for n in names if n not in SERVERS]:
        parser.error(f"unknown server(s): {', '.join(bad)}")
    if not (1 <= args.count <= 100_000 and 0 <= args.warmup <= 10_000 and 1 <= args.reps <= 50):
        parser.error("count 1..100000, warmup 0..10000, reps 1..50")
    if any(not 1 <= c <= 256 for c in concurrencies):
        parser.error("concurrency 1..256")

    command = (
        "cd "
        + shlex.quote(str(ROOT))
        + " && "
        + " ".join(
            [
                shlex.quote(os.path.relpath(args.python, ROOT))
                if args.python.startswith(str(ROOT))
                else shlex.quote(args.python),
                "bench/handshake.py",
                *(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
            ]
        )
    )
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGALRM, _raise_timeout)
    signal.alarm(int(args.timeout))
    t_start = time.monotonic()

    tmp = Path(tempfile.mkdtemp(prefix="bench-handshake-"))
    servers: dict[str, Server] = {}
    timed_out = False
    try:
        key = tmp / "peer_host_ed25519_key"
        write_host_key(key)
        all_servers = build_servers(tmp, args.python, key)
        servers = {n: all_servers[n] for n in names}
        text_file = tmp / "display_version.txt"
        for server in servers.values():
            if server.name != "ours" and text_file.exists():
                server.argv += ["--text", str(text_file)]
            try:
                server.start(args.start_timeout)
                print(
                    f"started {server.name}: pid {server.proc.pid}, port {server.port}, {server.banner}",
                    flush=True,
                )
                if server.name == "ours":
                    server.modules = server.modules_line()
                    print(f"  our SSH-2 modules: {server.modules or '?'}", flush=True)
                    # The peers send exactly the bytes our `display version` sends.
                    dump_output(args.python, server, text_file)
            except (RuntimeError, TimeoutError) as exc:
                server.error = str(exc)
                print(f"could not start {server.name}: {exc}\n{server.tail()}", file=sys.stderr, flush=True)
                if server.proc is not None:
                    _stop(server.proc)
        for conc in concurrencies:
            for rep in range(args.reps):
                for server in servers.values():
                    if server.error:
                        continue
                    left = args.timeout - (time.monotonic() - t_start) - 10
                    if left < 10:
                        raise TimeoutError("global time limit of the benchmark reached")
                    try:
                        res = run_client(args.python, server, args, conc, min(left, 600))
                    except (RuntimeError, subprocess.TimeoutExpired) as exc:
                        server.error = f"client run failed: {str(exc)[:300]}"
                        print(f"{server.name}: {server.error}\n{server.tail()}", file=sys.stderr, flush=True)
                        continue
                    server.runs.setdefault(conc, []).append(res)
                    print(
                        f"  {server.name:9s} c={conc} rep {rep + 1}/{args.reps}: {res['conn_per_s']:7.1f} conn/s, "
                        f"server {res['server_cpu_ms_per_conn']:.2f} ms/conn, client {res['client_cpu_ms_per_conn']:.2f} ms/conn"
                        + (f", failures: {res['failures']}" if res["failures"] else ""),
                        flush=True,
                    )
    except TimeoutError as exc:
        timed_out = True
        print(
            f"stopped: {exc} ({args.timeout:.0f} s); figures below are partial", file=sys.stderr, flush=True
        )
    finally:
        signal.alarm(0)
        for server in servers.values():
            if server.proc is not None:
                _stop(server.proc)
        _stop_all()
        if args.keep_tmp:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = table_rows(servers, concurrencies)
    ratios = ratio_lines(servers, concurrencies)
    print()
    print(render_text(rows))
    print()
    for line in ratios:
        print(line)
    if args.markdown and timed_out:
        print("not writing markdown: the run was cut short", file=sys.stderr)
    elif args.markdown:
        facts = machine_facts()
        when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        section = render_markdown(rows, ratios, facts, command, servers, args, when)
        update_doc(section, Path(args.markdown))
        print(f"\nwrote results to {args.markdown}")
    if timed_out:
        return 3
    return 0 if all(not s.error for s in servers.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
