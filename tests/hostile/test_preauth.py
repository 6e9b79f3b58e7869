"""Pre-authentication floods: legitimate logins still get in, attackers are gone within the grace.

The device runs as a real ``switch-agent serve`` process whose open-file limit is 1,024 (as the
issue measured) and whose login grace (``ssh server authentication-timeout``) is 4 s so the test
is short. One hostile host (127.0.0.1) opens thousands of connections that stay silent, stop after
the version line, or trickle a byte a second (slowloris); meanwhile another host (127.0.0.2)
logs in 20 times. Before the admission rules, 2,000 silent connections locked out 5 of 5 logins
and a slowloris connection lived 117 s against a 60 s grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.clients import PASSWORD, USER, ssh2_command_latency, ssh2_login
from tests.interop.switch_process import running_switch

pytestmark = pytest.mark.interop  # attacks a device served on 127.0.0.1

GRACE = 4
ATTACKER, LEGIT = "127.0.0.1", "127.0.0.2"
PROFILE = f"""name: flood-test
extends: 3com-s7906e
ssh:
  authentication_timeout: {GRACE}
"""


@contextlib.contextmanager
def _open_files(count: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < count:
        hard = count  # root (CI) may raise the hard limit
    resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def _attacker(port: int, kind: str, lifetimes: list[float]) -> None:
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACKER, 0)), 30
        )
    except (OSError, TimeoutError):
        lifetimes.append(0.0)  # not even connected: the kernel's backlog was full
        return
    opened = time.monotonic()
    trickle = None
    if kind == "version":
        writer.write(b"SSH-2.0-flood_1.0\r\n")
    elif kind == "slowloris":

        async def drip() -> None:
            for byte in b"SSH-2.0-slowloris\r\n" + bytes(4000):
                writer.write(bytes([byte]))
                await asyncio.sleep(1.0)

        trickle = asyncio.ensure_future(drip())
    try:
        while await asyncio.wait_for(reader.read(65536), GRACE + 30):
            pass
    except (ConnectionError, OSError, TimeoutError):
        pass
    lifetimes.append(time.monotonic() - opened)
    if trickle is not None:
        trickle.cancel()
    writer.close()


async def _flood(port: int, kind: str, count: int) -> tuple[int, list[float], float]:
    lifetimes: list[float] = []
    attackers = [asyncio.ensure_future(_attacker(port, kind, lifetimes)) for _ in range(count)]
    await asyncio.sleep(1.0)  # the flood is in place
    ok = 0
    worst = 0.0
    for _ in range(20):
        try:
            conn = await ssh2_login("127.0.0.1", port, source=LEGIT, timeout=10)
            await conn.wait(lambda c=conn: b">" in c.client.output, 5)
            worst = max(worst, await ssh2_command_latency(conn, b"display clock\r", b"UTC"))
            conn.close()
            ok += 1
        except (ConnectionError, OSError, TimeoutError):
            pass
    await asyncio.gather(*attackers)
    return ok, lifetimes, worst


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "count"), [("silent", 4000), ("version", 2000), ("slowloris", 2000)])
def test_flood_leaves_room_for_legitimate_logins(tmp_path: Path, kind: str, count: int) -> None:
    profile = tmp_path / "flood-test.yaml"
    profile.write_text(PROFILE)
    with _open_files(count + 1024), running_switch(
        tmp_path / "sw", [f"{USER}:{PASSWORD}:3"], profile=str(profile), open_files=1024
    ) as switch:
        ok, lifetimes, worst = asyncio.run(_flood(switch.port, kind, count))
        assert switch.process.poll() is None
        log = switch.log_text()
    print(f"{kind} x{count}: {ok}/20 logins; attackers lived at most {max(lifetimes):.1f} s; "
          f"worst legit command {worst * 1000:.0f} ms; log {len(log)} bytes")
    assert ok == 20
    assert len(lifetimes) == count
    assert max(lifetimes) <= GRACE + 1.5
    assert "Traceback" not in log
    assert len(log) < 200_000  # refusals are summarized per source and minute, not one line each
