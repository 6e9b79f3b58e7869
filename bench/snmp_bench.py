"""SNMP benchmark: switch-agent's SNMP agent against Net-SNMP's snmpd, same ifTable size, same client.

    .venv/bin/python bench/snmp_bench.py [--seconds 3] [--reps 3] [--max-repetitions 10,50]
                                         [--markdown] [--write-docs] [--no-netns]

One run starts, on 127.0.0.1 high ports:

* ours:  ``python -m agent serve --profile device_profiles/3com-s7906e.yaml --snmp 127.0.0.1:P --snmp-community public``
         (one emulated 3Com 7906E: 104 ports + NULL0 = 105 ifTable rows);
* peer:  ``snmpd -f -C -c <temporary config>`` (Net-SNMP, foreground, ``rocommunity public``).

snmpd's ifTable lists the host's interfaces. To give it the same number of rows, the whole run
(both agents and the client) executes in a private network namespace (``unshare -n``, needs
root) holding ``lo`` plus veth pairs; no host interface is touched and the namespace vanishes
with the run. Without it (``--no-netns`` or not root) snmpd serves the host's few interfaces and
the report says so.

The client (this process, shared by both agents) is a minimal SNMPv2c client (BER codec imported
from ``agent.snmp.fastpath``) over one blocking UDP socket, so both agents see identical request
streams. Workloads, each run for ``--seconds`` and interleaved (ours, snmpd, ours, ...) ``--reps``
times, median reported:

* ``get``:      GET of sysUpTime.0 + ifDescr.1 + ifOperStatus.1, requests per second;
* ``walk``:     GETNEXT walk of ifTable (one varbind per request, like ``snmpwalk``), walks/s;
* ``bulk-N``:   GETBULK walk of ifTable with max-repetitions N (``snmpbulkwalk -Cr N``), walks/s.

Also reported: the server's CPU time per walk or request (from /proc/PID/stat via the process
CPU clock), which does not depend on the client's speed. Every process started here is stopped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PROFILE, ROOT, proc_cpu_clock_seconds, proc_cpu_seconds  # noqa: E402

from agent.snmp.fastpath import encode_integer, oid_body, read_tlv, tlv  # noqa: E402

COMMUNITY = b"public"
IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2)
GET_OIDS = [(1, 3, 6, 1, 2, 1, 1, 3, 0), (1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1), (1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 1)]
DOCS = ROOT / "docs" / "benchmarks.md"


# ------------------------------------------------------------------ a minimal SNMPv2c client
# (the BER helpers are the agent's own fast-path codec, agent/snmp/fastpath.py)
def request(tag: int, request_id: int, oid_bodies: list[bytes], a: int = 0, b: int = 0) -> bytes:
    vbs = b"".join(tlv(0x30, tlv(0x06, o) + b"\x05\x00") for o in oid_bodies)
    pdu = tlv(tag, encode_integer(request_id) + encode_integer(a) + encode_integer(b) + tlv(0x30, vbs))
    return tlv(0x30, encode_integer(1) + tlv(0x04, COMMUNITY) + pdu)


def parse_response(data: bytes) -> tuple[int, int, list[tuple[bytes, int]]]:
    """(request id, error status, [(oid body, value tag)])."""
    end = len(data)
    _, pos, _ = read_tlv(data, 0, end)
    _, s, e = read_tlv(data, pos, end)  # version
    _, s, e = read_tlv(data, e, end)  # community
    _, pos, _ = read_tlv(data, e, end)  # PDU
    _, s, e = read_tlv(data, pos, end)
    request_id = int.from_bytes(data[s:e], "big", signed=True)
    _, s, e = read_tlv(data, e, end)
    status = int.from_bytes(data[s:e], "big")
    _, s, e = read_tlv(data, e, end)  # error index
    _, pos, vbl_end = read_tlv(data, e, end)  # varbind list
    out = []
    while pos < vbl_end:
        _, vs, ve = read_tlv(data, pos, end)
        _, os_, oe = read_tlv(data, vs, end)
        vtag, _, _ = read_tlv(data, oe, end)
        out.append((data[os_:oe], vtag))
        pos = ve
    return request_id, status, out


class Client:
    def __init__(self, port: int, timeout: float = 2.0) -> None:
        self.addr = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)
        self.request_id = 1

    def call(self, tag: int, oids: list[bytes], a: int = 0, b: int = 0) -> list[tuple[bytes, int]]:
        self.request_id = (self.request_id + 1) & 0x7FFFFFFF
        self.sock.sendto(request(tag, self.request_id, oids, a, b), self.addr)
        while True:
            data = self.sock.recv(65535)
            rid, status, vbs = parse_response(data)
            if rid == self.request_id:
                if status:
                    raise RuntimeError(f"error-status {status}")
                return vbs

    def get(self) -> int:
        return len(self.call(0xA0, [oid_body(o) for o in GET_OIDS]))

    def walk(self, prefix: tuple[int, ...], max_repetitions: int | None) -> tuple[int, int]:
        """(varbinds in the table, requests sent)."""
        stem = oid_body(prefix)
        current = stem
        rows = requests = 0
        while True:
            requests += 1
            if max_repetitions is None:
                vbs = self.call(0xA1, [current])
            else:
                vbs = self.call(0xA5, [current], 0, max_repetitions)
            for oid, vtag in vbs:
                if not oid.startswith(stem) or vtag == 0x82:  # left the table / endOfMibView
                    return rows, requests
                rows += 1
                current = oid
            if not vbs:
                return rows, requests

    def close(self) -> None:
        self.sock.close()


# ------------------------------------------------------------------ servers
def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, deadline: float) -> None:
    client = Client(port, timeout=0.3)
    try:
        while time.monotonic() < deadline:
            try:
                client.get()
                return
            except (TimeoutError, OSError, RuntimeError):
                time.sleep(0.1)
        raise RuntimeError(f"no SNMP answer on udp 127.0.0.1:{port}")
    finally:
        client.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def start_ours(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    cmd = [sys.executable, "-m", "agent", "serve", "--profile", str(PROFILE), "--state", str(tmp / "state"),
           "--listen", f"127.0.0.1:{free_port(socket.SOCK_STREAM)}", "--snmp", f"127.0.0.1:{port}",
           "--snmp-community", "public"]
    log = open(tmp / "ours.log", "wb")  # noqa: SIM115 - closed with the process below
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    proc._bench_log = log  # type: ignore[attr-defined]
    return proc, port


def start_snmpd(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = tmp / "snmpd.conf"
    conf.write_text("rocommunity public 127.0.0.1\n")
    persistent = tmp / "snmpd-persist"
    persistent.mkdir(exist_ok=True)
    env = dict(os.environ, SNMP_PERSISTENT_DIR=str(persistent), MIBS="", MIBDIRS=str(tmp))
    cmd = [shutil.which("snmpd") or "snmpd", "-f", "-C", "-c", str(conf), "-Lf", str(tmp / "snmpd.log"),
           "-p", str(tmp / "snmpd.pid"), f"udp:127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return proc, port


def cpu(pid: int) -> float:
    value = proc_cpu_clock_seconds(pid)
    return value if value is not None else proc_cpu_seconds(pid)


def measure(pid: int, port: int, workload: str, seconds: float) -> dict[str, float]:
    client = Client(port)
    try:
        max_rep = int(workload.split("-")[1]) if workload.startswith("bulk") else None
        cpu0, t0 = cpu(pid), time.perf_counter()
        count = requests = 0
        while time.perf_counter() - t0 < seconds:
            if workload == "get":
                client.get()
                requests += 1
            else:
                _, n = client.walk(IF_TABLE, max_rep)
                requests += n
            count += 1
        wall = time.perf_counter() - t0
        cpu_used = cpu(pid) - cpu0
        return {"per_s": count / wall, "req_per_s": requests / wall, "cpu_ms": 1000 * cpu_used / count,
                "requests": requests / count}
    finally:
        client.close()


# ------------------------------------------------------------------ namespace with veth pairs
def setup_netns(interfaces: int) -> int:
    """Inside ``unshare -n``: lo up plus veth pairs; returns how many interfaces snmpd will list."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    pairs = max(0, (interfaces - 1) // 2)
    batch = "".join(f"link add bv{i}a type veth peer name bv{i}b\n" for i in range(pairs))
    subprocess.run(["ip", "-batch", "-"], input=batch.encode(), check=True)
    return 1 + 2 * pairs


def our_if_rows() -> int:
    from agent.family import load_device
    from agent.profiles import load_profile
    from agent.snmp.mib_interfaces import interfaces

    with tempfile.TemporaryDirectory() as tmp:
        device = load_device(load_profile(PROFILE), Path(tmp))
        return len(interfaces(device))


def markdown(results: dict[str, dict[str, list[dict[str, float]]]], meta: dict[str, str]) -> str:
    lines = [
        "## SNMP",
        "",
        f"Measured {meta['date']} on {meta['machine']}.",
        "",
        f"Command: `{meta['command']}`",
        "",
        f"Setup: {meta['setup']}",
        "",
        "| workload | agent | walks or GETs /s | requests /s | server CPU ms per walk/GET | requests per walk |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for workload, by_agent in results.items():
        for agent, runs in by_agent.items():
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            lines.append(f"| {workload} | {agent} | {med['per_s']:.1f} | {med['req_per_s']:.0f} | "
                         f"{med['cpu_ms']:.2f} | {med['requests']:.0f} |")
    lines += ["", meta["notes"], ""]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    """Replace (or append) only the ``## SNMP`` section of docs/benchmarks.md."""
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "## SNMP"), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "\n".join(lines[:start] + section.rstrip("\n").splitlines() + [""] + lines[end:])
    DOCS.write_text(new.rstrip("\n") + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--max-repetitions", default="10,50")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--no-netns", action="store_true")
    parser.add_argument("--in-netns", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    command = "python bench/snmp_bench.py " + " ".join(a for a in sys.argv[1:] if a != "--in-netns")

    if not args.in_netns and not args.no_netns and os.geteuid() == 0 and shutil.which("unshare"):
        return subprocess.call(["unshare", "-n", sys.executable, *sys.argv, "--in-netns"])

    rows_ours = our_if_rows()
    if args.in_netns:
        rows_peer = setup_netns(rows_ours)
        setup = (f"both agents and the client in one private network namespace; ours serves {rows_ours} ifTable "
                 f"rows (104 ports + NULL0), snmpd {rows_peer} (lo + {rows_peer - 1} veth interfaces).")
    else:
        rows_peer = len(socket.if_nameindex())
        setup = (f"host network; ours serves {rows_ours} ifTable rows, snmpd only the host's {rows_peer} "
                 "interfaces (walk rates are not comparable per walk; compare requests/s).")
    workloads = ["get", "walk", *(f"bulk-{n}" for n in args.max_repetitions.split(",") if n)]
    results: dict[str, dict[str, list[dict[str, float]]]] = {w: {"switch-agent": [], "snmpd": []} for w in workloads}
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="snmp-bench-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            ours, ours_port = start_ours(tmp)
            procs.append(ours)
            peer, peer_port = start_snmpd(tmp)
            procs.append(peer)
            deadline = time.monotonic() + 60
            wait_ready(ours_port, deadline)
            wait_ready(peer_port, deadline)
            agents = {"switch-agent": (ours.pid, ours_port), "snmpd": (peer.pid, peer_port)}
            sizes = {}
            for name, (_, port) in agents.items():
                c = Client(port)
                sizes[name] = c.walk(IF_TABLE + (1, 1), 50)[0]
                c.close()
            print(f"ifTable rows: {sizes}", file=sys.stderr)
            for _ in range(args.reps):
                for workload in workloads:
                    for name, (pid, port) in agents.items():
                        results[workload][name].append(measure(pid, port, workload, args.seconds))
        finally:
            for proc in procs:
                stop(proc)
                log = getattr(proc, "_bench_log", None)
                if log is not None:
                    log.close()
    meta = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()} {os.cpu_count()} CPU ({_cpu_model()}), Linux {platform.release()}, "
        f"Python {platform.python_version()}, Net-SNMP {_netsnmp_version()}",
        "command": command,
        "setup": setup + f" ifTable rows seen by the client: switch-agent {sizes['switch-agent']}, "
        f"snmpd {sizes['snmpd']}. {args.reps} interleaved repetitions of {args.seconds:g} s per workload, median.",
        "notes": "Workloads: `get` = one GET of sysUpTime.0, ifDescr.1, ifOperStatus.1; `walk` = GETNEXT walk of "
        "ifTable (one varbind per request); `bulk-N` = GETBULK walk of ifTable with max-repetitions N. "
        "One synchronous client (a minimal BER encoder in the benchmark process) shared by both agents, so "
        "walks/s include client time; server CPU per walk is the agent's own cost.",
    }
    text = markdown(results, meta)
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _netsnmp_version() -> str:
    try:
        out = subprocess.run(["snmpd", "-v"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return "?"
    for line in out.splitlines():
        if "version" in line.lower():
            return line.split(":")[-1].strip()
    return "?"


if __name__ == "__main__":
    raise SystemExit(main())
