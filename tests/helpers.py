"""What tests share: the one way to make a real device, its CLI driven like a user, the SNMP agent
in a thread, and the SSH1 test device. Fixtures (tests/conftest.py) are built from these; tests
import this module, never each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from agent.device import Device
from agent.device.model import PeerKey
from agent.family import load_device
from agent.profiles import load_profile
from agent.profiles.model import LabUser, Profile
from agent.snmp.agent import SnmpAgent

ROOT = Path(__file__).resolve().parents[1]
PROFILE_PATH = ROOT / "device_profiles" / "3com-s7906e.yaml"
PROFILE = load_profile(PROFILE_PATH)
USER, PASSWORD = "admin", "lab-Secret-42"
ANSI = re.compile(r"\x1b\[\d*[A-Za-z]")


def make_device(
    state: Path, profile: Path | Profile = PROFILE, users: list[LabUser] | None = None, **identity: object
) -> Device:
    """A real device in ``state`` (saved configuration read back if there is one).

    ``users`` default to the lab user USER/PASSWORD at level 3; ``identity`` overrides profile
    identity fields (sysname, banners ...).
    """
    loaded = profile if isinstance(profile, Profile) else load_profile(profile)
    if identity:
        loaded = loaded.model_copy(update={"identity": loaded.identity.model_copy(update=identity)})
    chosen = [LabUser(name=USER, password=PASSWORD, level=3)] if users is None else users
    return load_device(loaded, state, chosen)


def text(data: bytes) -> str:
    """Output as text with CR LF turned into LF."""
    return data.decode("utf-8").replace("\r\n", "\n")


class Term:
    """An interactive session driven line by line, like a person at a terminal."""

    def __init__(self, device: Device, level: int = 3, user: str = "admin") -> None:
        self.session = device.open_cli(user, level, interactive=True)
        self.banner = text(self.session.start())

    def send(self, data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return text(self.session.feed(raw))

    def line(self, line: str) -> str:
        return self.send(line + "\n")

    def run(self, *lines: str) -> list[str]:
        return [self.line(x) for x in lines]


def cli(device: Device, *lines: str) -> str:
    """Run ``lines`` on an exec-style session; every one must succeed."""
    session = device.open_cli(USER, 3, interactive=False)
    out = []
    for line in lines:
        output, status = session.execute(line)
        assert status == 0, (line, output)
        out.append(output.decode())
    return "".join(out)


@contextlib.contextmanager
def agent_thread(device: Device) -> Iterator[SnmpAgent]:
    """The device's agent on 127.0.0.1:<free port>, served by an event loop in a thread.

    A switch has no community until one is configured: the tests' switch gets `public` (read)
    and `private` (write), as an operator would configure them.
    """
    if not device.snmp.communities:
        cli(device, "system-view", "snmp-agent community read public", "snmp-agent community write private")
    loop = asyncio.new_event_loop()
    agent = SnmpAgent(device, "127.0.0.1", 0)
    started = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(agent.start())
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(asyncio.sleep(0.01))  # let cancelled pysnmp timers finish

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10) and not errors, errors
    try:
        yield agent
    finally:
        loop.call_soon_threadsafe(agent.stop)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# ---------------------------------------------------------------------- SSH1 test device
SSH1_PASSWORD = "admin-secret"  # the profile's own admin
SSH1_USER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)
VERSION_MARK = b"Version 5.20"


def ssh1_device(state: Path, shared_keys: Path) -> Device:
    """A device with the profile's users whose host keys are copied from ``shared_keys`` (made once per run)."""
    state.mkdir(parents=True, exist_ok=True)
    if shared_keys.is_dir():
        shutil.copytree(shared_keys, state / "keys")
    device = make_device(state, users=[])
    device.host_keys.rsa_private_key  # noqa: B018  (the SSH1 host key, made now)
    if not shared_keys.is_dir():
        shutil.copytree(state / "keys", shared_keys)
    return device


def add_rsa_key(device: Device, username: str, key: rsa.RSAPrivateKey) -> None:
    device.peer_keys[username] = PeerKey(username, key.public_key())


def set_ssh1(device: Device, *, ciphers: list[str] | None = None, auth: list[str] | None = None) -> None:
    changes = {k: v for k, v in {"ssh1_ciphers": ciphers, "ssh1_auth": auth}.items() if v is not None}
    device.profile = device.profile.model_copy(update={"ssh": device.profile.ssh.model_copy(update=changes)})
