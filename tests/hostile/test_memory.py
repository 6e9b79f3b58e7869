"""A client that types without reading must not grow the device's memory (back-pressure).

The device runs as a real ``switch-agent serve`` process; its resident memory (VmRSS) is read
before the attack and while the attacking connection is still open. Before back-pressure,
64 KiB typed into a window-0 channel cost 75 MiB and 2 MB cost 1.2 GiB.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.hostile.clients import PASSWORD, USER, ssh1_big_stdin, ssh1_shell, ssh2_login
from tests.interop.switch_process import running_switch

pytestmark = pytest.mark.interop  # attacks a device served on 127.0.0.1

TYPED = 1 << 20  # 1 MiB of commands
BOUND = 2 << 20  # the device may grow by less than 2 MiB


def rss(pid: int) -> int:
    """Resident memory of ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def _ssh2_window0(port: int, pid: int, command: bytes) -> tuple[int, int, int]:
    # Warm-up: the same attack, small, so code paths and allocator pools exist before "before".
    warm = await ssh2_login("127.0.0.1", port, window=0)
    warm.write(command * 2000)
    await asyncio.sleep(1.0)
    warm.close()
    await asyncio.sleep(0.5)
    before = rss(pid)
    conn = await ssh2_login("127.0.0.1", port, window=0)
    conn.write(command * (TYPED // len(command)))
    peak = before
    for _ in range(20):  # 4 s: the device has long taken all it is going to take
        await asyncio.sleep(0.2)
        peak = max(peak, rss(pid))
    unsent = len(conn.client._pending)  # noqa: SLF001
    assert not conn.client.closed, conn.client.disconnect_reason
    conn.close()
    return before, peak, unsent


async def _ssh1_not_reading(port: int, pid: int, command: bytes) -> tuple[int, int]:
    warm = await ssh1_shell("127.0.0.1", port)
    ssh1_big_stdin(warm, command * 2000)
    await asyncio.sleep(1.0)
    warm.close()
    await asyncio.sleep(0.5)
    before = rss(pid)
    conn = await ssh1_shell("127.0.0.1", port)
    await asyncio.sleep(0.3)
    assert conn.pump_task is not None
    conn.pump_task.cancel()  # from here on the client reads nothing at all
    data = command * (TYPED // len(command))
    for start in range(0, len(data), 16384):
        ssh1_big_stdin(conn, data[start : start + 16384])
    peak = before
    for _ in range(20):
        await asyncio.sleep(0.2)
        peak = max(peak, rss(pid))
    conn.close()
    return before, peak


@pytest.mark.slow
@pytest.mark.parametrize("command", [b"display current-configuration\r", b"display version\r"])
def test_typing_into_a_window0_channel_holds_memory(tmp_path: Path, command: bytes) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        before, peak, unsent = asyncio.run(_ssh2_window0(switch.port, switch.process.pid, command))
    print(f"SSH-2 window 0: RSS {before >> 10} KiB -> {peak >> 10} KiB; {unsent} bytes never taken")
    assert unsent > 0  # the device stopped taking input
    assert peak - before < BOUND


@pytest.mark.slow
def test_ssh1_client_that_reads_nothing_holds_memory(tmp_path: Path) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        before, peak = asyncio.run(_ssh1_not_reading(switch.port, switch.process.pid, b"display current-configuration\r"))
    print(f"SSH1 not reading: RSS {before >> 10} KiB -> {peak >> 10} KiB")
    assert peak - before < BOUND
