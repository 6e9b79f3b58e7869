"""Sessions as Comware runs them, and strict framing, against a real ``switch-agent serve``.

16 VTY lines (`user-interface vty 0 15`): a 17th login is refused with Comware's message;
`idle-timeout` is enforced (it was stored and never applied); a clear-text packet whose length
is not a multiple of 8 gets a protocol-error DISCONNECT (RFC 4253 section 6 MUST).
"""

from __future__ import annotations

import asyncio
import struct
import time
from pathlib import Path

import pytest

from agent.errors import DisconnectReason
from agent.sessions import ALL_LINES_BUSY
from tests.hostile.clients import PASSWORD, USER, ssh2_command_latency, ssh2_login
from tests.interop.switch_process import running_switch

pytestmark = pytest.mark.interop  # attacks a device served on 127.0.0.1


async def _seventeen(port: int) -> tuple[int, str]:
    sessions = []
    for _ in range(16):
        conn = await ssh2_login("127.0.0.1", port)
        sessions.append(conn)
    try:
        extra = await ssh2_login("127.0.0.1", port, timeout=3)
        await extra.wait(lambda: extra.client.closed, 3)
        reason = extra.client.disconnect_reason or ""
        extra.close()
    except ConnectionError as exc:
        reason = str(exc)
    alive = sum(1 for s in sessions if not s.client.closed)
    for conn in sessions:
        conn.close()
    return alive, reason


@pytest.mark.slow
def test_seventeenth_login_is_refused(tmp_path: Path) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        alive, reason = asyncio.run(_seventeen(switch.port))
    assert alive == 16
    assert ALL_LINES_BUSY in reason, reason


async def _idle(port: int) -> tuple[float, str]:
    admin = await ssh2_login("127.0.0.1", port)
    await admin.wait(lambda: b">" in admin.client.output, 5)
    for line in (b"system-view\r", b"user-interface vty 0 15\r", b"idle-timeout 0 2\r", b"return\r"):
        admin.write(line)
        await asyncio.sleep(0.1)
    admin.close()
    conn = await ssh2_login("127.0.0.1", port)
    await conn.wait(lambda: b">" in conn.client.output, 5)
    await ssh2_command_latency(conn, b"display clock\r", b"UTC")  # input resets the clock
    typed = time.monotonic()
    await conn.wait(lambda: conn.client.closed or conn.eof, 10)
    reason = conn.client.disconnect_reason or ""
    conn.close()
    return time.monotonic() - typed, reason


@pytest.mark.slow
def test_idle_timeout_is_enforced(tmp_path: Path) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        idle, reason = asyncio.run(_idle(switch.port))
    assert 1.8 <= idle <= 4.0, idle
    assert "Idle timeout" in reason, reason


def _clear_packets(data: bytes) -> list[bytes]:
    out = []
    while len(data) >= 5:
        length, pad = struct.unpack(">IB", data[:5])
        if len(data) < 4 + length:
            break
        out.append(data[5 : 4 + length - pad])
        data = data[4 + length :]
    return out


async def _odd_length(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"SSH-2.0-strict_1.0\r\n")
    payload = b"\x14" + bytes(30)
    pad = 5
    packet = struct.pack(">IB", 1 + len(payload) + pad, pad) + payload + bytes(pad)  # 4 + 37 = 41 bytes
    writer.write(packet)
    received = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), 5):
            received += chunk
    except (ConnectionError, TimeoutError):
        pass
    writer.close()
    return received


def test_clear_text_length_not_a_multiple_of_8_is_a_protocol_error(tmp_path: Path) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        received = asyncio.run(_odd_length(switch.port))
    _, _, packets = received.partition(b"\r\n")
    disconnects = [p for p in _clear_packets(packets) if p[:1] == b"\x01"]
    assert disconnects, received
    code = struct.unpack(">I", disconnects[0][1:5])[0]
    assert code == DisconnectReason.PROTOCOL_ERROR
    assert b"multiple of 8" in disconnects[0]
