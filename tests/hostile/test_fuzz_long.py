"""Fuzzed SSH-2 and SSH1 packets over real sockets against a real ``switch-agent serve`` process.

Two kinds of connection, alternating:

* before authentication: the version line, then random or mutated clear-text packets (a real
  KEXINIT with flipped bytes, lying lengths, random message types);
* after a real login: random payloads sent through the client engine, so they arrive correctly
  encrypted and framed and reach the service layers (userauth, connection, SSH1 session).

What must hold: the device answers garbage only with protocol disconnects (no "internal
error", no traceback in its log), keeps serving, and its memory and open files do not grow.

The normal suite runs a short round; ``SWITCH_AGENT_LONG_FUZZ=1`` runs the issue's long one
(100,000 SSH-2 packets and 50,000 SSH1 packets).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from agent.ssh1.client import Ssh1ClientCore
from agent.ssh2.negotiation import KexInit
from agent.wire import string, uint32
from tests.hostile.clients import PASSWORD, USER, Ssh1Conn, ssh1_shell, ssh2_login
from tests.hostile.test_memory import rss
from tests.interop.switch_process import running_switch

pytestmark = pytest.mark.interop  # attacks a device served on 127.0.0.1

LONG = os.environ.get("SWITCH_AGENT_LONG_FUZZ") == "1"
SSH2_PACKETS = 100_000 if LONG else 3_000
SSH1_PACKETS = 50_000 if LONG else 1_500
CONCURRENCY = 4  # below the per-source cap of unauthenticated connections


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _random_payload(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:  # channel messages for channel 0 (the open session) with random tails
        return bytes([rng.choice([93, 94, 95, 96, 97, 98, 99, 100])]) + uint32(0) + rng.randbytes(rng.randrange(0, 40))
    if kind == 1:  # channel requests with random names and fields
        name = rng.choice([b"pty-req", b"env", b"shell", b"exec", b"window-change", b"x11-req", b"signal", rng.randbytes(5)])
        return bytes([98]) + uint32(0) + string(name) + bytes([rng.randrange(2)]) + rng.randbytes(rng.randrange(0, 60))
    if kind == 2:  # global requests and channel opens
        return bytes([rng.choice([80, 90])]) + string(rng.choice([b"session", b"direct-tcpip", b"x"])) + rng.randbytes(rng.randrange(0, 30))
    if kind == 3:  # transport messages: ignore, debug, unimplemented, kexinit-ish, service requests
        return bytes([rng.choice([2, 3, 4, 5, 20, 21, 30, 50, 60])]) + rng.randbytes(rng.randrange(0, 80))
    if kind == 4:  # typed input for the CLI
        return bytes([94]) + uint32(0) + string(rng.choice([b"display version\r", b"?", b"\t", b"\x1b[A", rng.randbytes(20)]))
    return bytes([rng.randrange(256)]) + rng.randbytes(rng.randrange(0, 100))


def _clear_packet(rng: random.Random, kexinit: bytes) -> bytes:
    payload = bytearray(kexinit if rng.random() < 0.5 else _random_payload(rng))
    for _ in range(rng.randrange(0, 4)):
        if payload:
            payload[rng.randrange(len(payload))] = rng.randrange(256)
    pad = 8 - (len(payload) + 5) % 8
    if pad < 4:
        pad += 8
    length = len(payload) + pad + 1
    if rng.random() < 0.2:
        length = rng.choice([0, 1, 5, length + 1, length - 1, 1 << 20, 0xFFFFFFFF])
    return uint32(length) + bytes([pad if rng.random() < 0.9 else rng.randrange(256)]) + bytes(payload) + bytes(pad)


async def _ssh2_preauth(port: int, rng: random.Random, kexinit: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        writer.write(b"SSH-2.0-fuzz_1.0\r\n")
        for _ in range(rng.randrange(1, 6)):
            writer.write(_clear_packet(rng, kexinit))
            sent += 1
        await writer.drain()
        await asyncio.wait_for(reader.read(1 << 16), 5)
        while await asyncio.wait_for(reader.read(1 << 16), 5):
            pass
    except (ConnectionError, OSError, TimeoutError):
        pass
    finally:
        writer.close()
    return sent


async def _ssh2_session(port: int, rng: random.Random) -> int:
    conn = await ssh2_login("127.0.0.1", port, window=1 << 20)
    sent = 0
    try:
        for _ in range(rng.randrange(20, 200)):
            if conn.client.closed or conn.eof:
                break
            conn.client.send_payload(_random_payload(rng))
            conn.flush()
            sent += 1
            if sent % 20 == 0:
                await asyncio.sleep(0)
        await conn.wait(lambda: False, 0.05)
    finally:
        conn.close()
    return sent


async def _ssh1_preauth(port: int, rng: random.Random) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        writer.write(b"SSH-1.5-fuzz_1.0\n")
        for _ in range(rng.randrange(1, 4)):
            body = rng.randbytes(rng.randrange(0, 300))
            length = len(body) + 4 if rng.random() < 0.8 else rng.randrange(0, 1 << 19)
            padded = rng.randbytes(8 - len(body) % 8 + 4)
            writer.write(uint32(length) + padded + body)
            sent += 1
        await writer.drain()
        while await asyncio.wait_for(reader.read(1 << 16), 5):
            pass
    except (ConnectionError, OSError, TimeoutError):
        pass
    finally:
        writer.close()
    return sent


async def _ssh1_session(port: int, rng: random.Random) -> int:
    conn: Ssh1Conn = await ssh1_shell("127.0.0.1", port)
    client: Ssh1ClientCore = conn.client
    sent = 0
    try:
        for _ in range(rng.randrange(10, 100)):
            if client.closed:
                break
            msg = rng.choice([16, 17, 19, 32, 33, 36, rng.randrange(256)])
            client._send(msg, rng.randbytes(rng.randrange(0, 64)))  # noqa: SLF001 - a hostile client
            conn.flush()
            sent += 1
            if sent % 20 == 0:
                await asyncio.sleep(0)
        await asyncio.sleep(0.02)
    finally:
        conn.close()
    return sent


async def _fuzz(port: int, ssh2_packets: int, ssh1_packets: int, seed: int) -> dict[str, int]:
    kexinit = KexInit.build(["curve25519-sha256"], ["ssh-ed25519"], ["aes128-ctr"], ["hmac-sha2-256"], ["none"]).payload
    counts = {"ssh2": 0, "ssh1": 0, "connections": 0}

    async def worker(k: int) -> None:
        local = random.Random(seed * 100 + k)
        while counts["ssh2"] < ssh2_packets or counts["ssh1"] < ssh1_packets:
            protocol = "ssh2" if counts["ssh2"] < ssh2_packets and (counts["ssh1"] >= ssh1_packets or local.random() < 0.6) else "ssh1"
            try:
                if protocol == "ssh2":
                    sent = await (_ssh2_preauth(port, local, kexinit) if local.random() < 0.4 else _ssh2_session(port, local))
                else:
                    sent = await (_ssh1_preauth(port, local) if local.random() < 0.4 else _ssh1_session(port, local))
            except (ConnectionError, OSError, TimeoutError):
                sent = 0
            counts[protocol] += sent
            counts["connections"] += 1

    await asyncio.gather(*(worker(k) for k in range(CONCURRENCY)))
    return counts


@pytest.mark.slow
@pytest.mark.timeout(7200)
def test_fuzzed_packets_get_only_protocol_disconnects(tmp_path: Path) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        pid = switch.process.pid
        asyncio.run(_fuzz(switch.port, 300, 150, seed=1))  # warm-up: every code path and pool exists
        time.sleep(1.0)
        rss_before, files_before = rss(pid), _open_files(pid)
        started = time.monotonic()
        counts = asyncio.run(_fuzz(switch.port, SSH2_PACKETS, SSH1_PACKETS, seed=2))
        took = time.monotonic() - started
        time.sleep(1.5)  # connections still closing
        rss_after, files_after = rss(pid), _open_files(pid)
        # still serving
        ok = asyncio.run(_still_serving(switch.port))
        log = switch.log_text()
    print(f"fuzz: {counts} in {took:.0f} s; RSS {rss_before >> 10} -> {rss_after >> 10} KiB; "
          f"open files {files_before} -> {files_after}; log {len(log)} bytes")
    assert counts["ssh2"] >= SSH2_PACKETS and counts["ssh1"] >= SSH1_PACKETS
    assert "Traceback" not in log and "internal error" not in log.lower()
    assert ok
    assert files_after <= files_before + 2
    assert rss_after - rss_before < 8 << 20


async def _still_serving(port: int) -> bool:
    conn = await ssh2_login("127.0.0.1", port)
    ok = await conn.wait(lambda: b">" in conn.client.output, 5)
    conn.close()
    return ok

