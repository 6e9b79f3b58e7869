"""CPU of our SSH-2 server core alone, per handshake: no sockets, no asyncio, no logging.

    .venv/bin/python bench/core_handshake.py [--count 500]

Pairs the sans-IO server (agent.ssh2.server.Ssh2ServerCore) with the sans-IO test client
(agent.ssh2.client) in memory, with the handshake benchmark's algorithms and an exec of
``display version``, and times only the server's calls (thread CPU time). Each round of the
exchange is one protocol step, so the per-step table shows where a handshake's server CPU goes.
Comparing with bench/handshake.py's "ours" figure separates the core's cost from the asyncio
driver's, the kernel's and the logging's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import common  # noqa: E402

STEPS = [
    "new core + KEXINIT out",
    "client KEXINIT + ECDH_INIT -> reply, NEWKEYS",
    "client NEWKEYS (+SERVICE_REQUEST)",
    "step 4",
    "step 5",
    "step 6",
    "step 7",
    "step 8",
    "step 9",
    "step 10",
]


def one(device, options, server_line: str, client_version) -> tuple[list[float], bytes]:  # noqa: ANN001
    from agent.ssh2.client import ClientTransport
    from agent.ssh2.server import Ssh2ServerCore

    clock = time.thread_time
    times: list[float] = []
    client = ClientTransport(options, server_line)
    t0 = clock()
    server = Ssh2ServerCore(device, client_version, server_line, "memory:1")
    to_client = server.data_to_send()
    times.append(clock() - t0)
    for _ in range(50):
        if to_client:
            client.receive_data(to_client)
        to_server = client.data_to_send()
        if not to_server:
            break
        t0 = clock()
        server.receive_data(to_server)
        to_client = server.data_to_send()
        times.append(clock() - t0)
    t0 = clock()
    server.connection_lost()
    times.append(clock() - t0)
    return times, bytes(client.output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--plain-password",
        action="store_true",
        help="replace the PBKDF2 check by a plain compare (what the peer servers do)",
    )
    args = parser.parse_args()

    from agent.family import load_device
    from agent.identification import parse_version_line
    from agent.profiles import load_profile
    from agent.profiles.model import LabUser
    from agent.ssh2.client import CLIENT_VERSION, ClientOptions

    tmp = tempfile.TemporaryDirectory(prefix="bench-core-")
    device = load_device(
        load_profile(common.PROFILE),
        Path(tmp.name) / "state",
        extra_users=[LabUser(name=common.USER, password=common.PASSWORD, level=3)],
    )
    if args.plain_password:
        import hmac

        def plain(username: str, password: bytes) -> int | None:
            ok = hmac.compare_digest(username.encode(), common.USER.encode())
            return 3 if hmac.compare_digest(password, common.PASSWORD.encode()) and ok else None

        device.authenticate_password = plain  # type: ignore[method-assign]
    options = ClientOptions(
        kex=["curve25519-sha256"],
        host_key=common.HOST_KEY,
        cipher=common.CIPHER,
        mac=common.MAC,
        compression=common.COMPRESSION,
        username=common.USER,
        password=common.PASSWORD,
        command=common.COMMAND,
    )
    server_line = "SSH-2.0-Comware-5.20"
    client_version = parse_version_line(CLIENT_VERSION.encode())

    for _ in range(args.warmup):
        one(device, options, server_line, client_version)
    per_step: list[list[float]] = []
    totals = []
    out = b""
    for _ in range(args.count):
        times, out = one(device, options, server_line, client_version)
        totals.append(sum(times))
        for i, t in enumerate(times):
            if i >= len(per_step):
                per_step.append([])
            per_step[i].append(t)
    if b"Comware Software, Version" not in out:
        print(f"unexpected exec output: {out[:200]!r}", file=sys.stderr)
        return 1
    print(
        f"server core CPU per handshake: median {statistics.median(totals) * 1000:.3f} ms, "
        f"mean {statistics.fmean(totals) * 1000:.3f} ms over {args.count} "
        f"({'plain password compare' if args.plain_password else 'PBKDF2 password check'})"
    )
    print("per step (median ms; the last step is connection_lost):")
    for i, values in enumerate(per_step):
        print(f"  {i:2d}  {statistics.median(values) * 1000:7.3f}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
