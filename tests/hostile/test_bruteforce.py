"""Password guessing: `super` in one session, SSH logins from one source address.

Before: `super` guesses ran at 16/s in one session with no delay or lockout, and SSH password
guesses from one source at 667/s with no slowdown.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from agent.ssh2.client import ClientOptions
from tests.helpers import Term, make_device
from tests.hostile.clients import PASSWORD, USER, ssh2_command_latency, ssh2_connect, ssh2_login
from tests.interop.switch_process import running_switch

pytestmark = pytest.mark.interop  # attacks a device served on 127.0.0.1

SUPER_PASSWORD = "Super-Secret-9"


def test_wrong_super_passwords_lock_the_session_out(tmp_path: Path) -> None:
    device = make_device(tmp_path / "sw")
    Term(device).run("system-view", f"super password level 3 simple {SUPER_PASSWORD}", "quit")
    term = Term(device, level=1, user="monitor")
    answers = []
    for attempt in range(100):
        answers.append(term.line("super 3") + term.line(f"wrong-{attempt}"))
    assert "locked" in answers[3].lower(), answers[:4]
    assert all("Password:" not in answer for answer in answers[3:])  # not even asked any more
    # The lock holds against the right password too: guessing on is pointless.
    after = term.line("super 3") + term.line(SUPER_PASSWORD)
    assert term.session.level == 1, after
    # Another session of the device is not affected.
    other = Term(device, level=1, user="monitor")
    other.line("super 3")
    other.line(SUPER_PASSWORD)
    assert other.session.level == 3


async def _guess(port: int, seconds: float) -> tuple[int, int, float]:
    """Guess passwords from 127.0.0.3 for ``seconds``: (guesses answered, connections refused, legit login s)."""
    guesses = refused = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn = await ssh2_connect("127.0.0.1", port, ClientOptions(username=USER, password="wrong", auth_attempts=3),
                                      source="127.0.0.3")
        except (ConnectionError, OSError):
            refused += 1
            await asyncio.sleep(0.05)
            continue
        await conn.wait(lambda c=conn: c.client.closed, 10)
        guesses += conn.client.auth_failures
        if not conn.client.auth_failures:
            refused += 1
        conn.close()
    started = time.monotonic()
    legit = await ssh2_login("127.0.0.1", port, source="127.0.0.2")
    await legit.wait(lambda: b">" in legit.client.output, 5)
    await ssh2_command_latency(legit, b"display clock\r", b"UTC")
    legit.close()
    return guesses, refused, time.monotonic() - started


@pytest.mark.slow
def test_ssh_guessing_from_one_source_is_slowed(tmp_path: Path) -> None:
    with running_switch(tmp_path / "sw", [f"{USER}:{PASSWORD}:3"]) as switch:
        guesses, refused, legit = asyncio.run(_guess(switch.port, 8.0))
        log = switch.log_text()
    print(f"{guesses} guesses in 8 s ({guesses / 8:.1f}/s), {refused} connections refused; legit login {legit:.2f} s")
    assert guesses / 8.0 < 3  # 667/s before
    assert refused > 0
    assert "penalized" in log  # logged, once per source and minute
    assert legit < 5
