"""Client driver of the handshake benchmark (runs in its own process).

    python bench/client.py --port PORT --server-pid PID [--count 300] [--concurrency 1] [--warmup 20]

Each connection: TCP connect, curve25519 key exchange, ssh-ed25519 host key, aes128-ctr +
hmac-sha2-256, no compression, password auth, exec ``display version``, read all output, close.
After ``--warmup`` connections it reads the server's CPU time from /proc/PID/stat, runs
``--count`` connections with ``--concurrency`` in flight, reads it again and prints one JSON
object on stdout: wall time, connections/s, server CPU ms per connection, client CPU ms per
connection, failures, and the algorithms negotiated on the first connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncssh  # noqa: E402
import common  # noqa: E402

EXPECT = b"Comware Software, Version"

# asyncssh keeps no record of the negotiated kex after the exchange: note it when it is chosen.
_last_kex: list[bytes] = [b"?"]
_get_kex = asyncssh.connection.get_kex


def _recording_get_kex(conn, alg):  # noqa: ANN001
    _last_kex[0] = alg
    return _get_kex(conn, alg)


asyncssh.connection.get_kex = _recording_get_kex


def make_options() -> asyncssh.SSHClientConnectionOptions:
    # Built once and shared by every connection: option parsing is not part of a handshake.
    return asyncssh.SSHClientConnectionOptions(
        username=common.USER,
        password=common.PASSWORD,
        known_hosts=None,
        client_keys=None,
        agent_path=None,
        gss_host=None,
        preferred_auth="password",
        kex_algs=common.KEX,
        server_host_key_algs=common.HOST_KEY,
        encryption_algs=common.CIPHER,
        mac_algs=common.MAC,
        compression_algs=common.COMPRESSION,
        config=None,
        connect_timeout=30,
        login_timeout=30,
    )


async def one(host: str, port: int, options: asyncssh.SSHClientConnectionOptions, info: dict | None) -> None:
    conn = await asyncssh.connect(host, port, options=options)
    try:
        result = await conn.run(common.COMMAND, check=False, encoding=None)
        out = result.stdout or b""
        if result.exit_status != 0 or EXPECT not in out:
            raise RuntimeError(f"bad exec result: status={result.exit_status} out={out[:200]!r}")
        if info is not None:
            kex = _last_kex[0]
            info.update(
                server_version=conn.get_extra_info("server_version"),
                kex=kex.decode() if isinstance(kex, bytes) else str(kex),
                host_key=conn.get_server_host_key().get_algorithm() if conn.get_server_host_key() else "?",
                cipher=f"{conn.get_extra_info('send_cipher')}/{conn.get_extra_info('recv_cipher')}",
                mac=f"{conn.get_extra_info('send_mac')}/{conn.get_extra_info('recv_mac')}",
                compression=f"{conn.get_extra_info('send_compression')}/{conn.get_extra_info('recv_compression')}",
                output_bytes=len(out),
                output=out,
            )
    finally:
        conn.close()
        await conn.wait_closed()


async def batch(host: str, port: int, options, count: int, concurrency: int, deadline: float) -> list[str]:
    """Run ``count`` connections, at most ``concurrency`` at a time; return the failures."""
    failures: list[str] = []
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < count and time.monotonic() < deadline:
            next_index += 1
            try:
                await asyncio.wait_for(one(host, port, options, None), timeout=60)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                failures.append(repr(exc)[:300])
                if len(failures) > max(10, count // 10):
                    raise RuntimeError(f"too many failures, last: {failures[-1]}") from None

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    if next_index < count:
        failures.append(f"time limit reached after {next_index} of {count} connections")
    return failures


async def main_async(args: argparse.Namespace) -> dict:
    options = make_options()
    deadline = time.monotonic() + args.timeout
    info: dict = {}
    await asyncio.wait_for(one(args.host, args.port, options, info), timeout=60)
    output = info.pop("output", b"")
    if args.dump_output:
        Path(args.dump_output).write_bytes(output)
    warm_fail = await batch(args.host, args.port, options, args.warmup, args.concurrency, deadline)
    if warm_fail:
        raise RuntimeError(f"warm-up failed: {warm_fail[:3]}")

    clk0 = common.proc_cpu_clock_seconds(args.server_pid)
    user0, sys0 = common.proc_user_sys_seconds(args.server_pid)
    own0 = os.times()
    t0 = time.perf_counter()
    failures = await batch(args.host, args.port, options, args.count, args.concurrency, deadline)
    wall = time.perf_counter() - t0
    own1 = os.times()
    user1, sys1 = common.proc_user_sys_seconds(args.server_pid)
    cpu0, cpu1 = user0 + sys0, user1 + sys1
    clk1 = common.proc_cpu_clock_seconds(args.server_pid)
    # Prefer the nanosecond CPU clock; /proc/PID/stat (10 ms ticks) is kept as a cross-check.
    server_cpu = (clk1 - clk0) if clk0 is not None and clk1 is not None else (cpu1 - cpu0)

    done = args.count - len(failures)
    return {
        "count": args.count,
        "ok": done,
        "concurrency": args.concurrency,
        "wall_s": wall,
        "conn_per_s": done / wall if wall > 0 else 0.0,
        "server_cpu_s": server_cpu,
        "server_cpu_source": "cpu-clock" if clk0 is not None and clk1 is not None else "proc-stat",
        "server_cpu_stat_s": cpu1 - cpu0,
        "server_user_ms_per_conn": (user1 - user0) * 1000 / done if done else None,
        "server_sys_ms_per_conn": (sys1 - sys0) * 1000 / done if done else None,
        "server_cpu_ms_per_conn": server_cpu * 1000 / done if done else None,
        "client_cpu_ms_per_conn": ((own1.user + own1.system) - (own0.user + own0.system)) * 1000 / done
        if done
        else None,
        "server_rss_kib": common.proc_rss_kib(args.server_pid),
        "failures": failures[:5],
        "negotiated": info,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--server-pid", type=int, required=True, help="server process whose CPU time is measured"
    )
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--dump-output", help="write the first connection's exec output to this file")
    parser.add_argument("--timeout", type=float, default=300.0, help="time limit of the whole run, seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("asyncssh").setLevel(logging.CRITICAL)
    result = asyncio.run(main_async(args))
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] == result["count"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
