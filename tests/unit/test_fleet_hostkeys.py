"""known_hosts look-ups: plain names from the index, hashed names by scan, learning in one store
shared by a run's threads, and changes made by another writer seen at the next look-up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from pathlib import Path

import pytest

from agent.fleet.hostkeys import HostKeyError, KnownHosts, host_pattern, ssh2_line


def _hashed(name: str, salt: bytes = b"0123456789abcdefghij") -> str:
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


def _blob(n: int) -> bytes:
    return b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes([n]) * 32


def test_plain_and_hashed_entries_found(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(
        ssh2_line(host_pattern("127.0.0.1", 2000), "ssh-ed25519", _blob(1)) + "\n"
        + ssh2_line(_hashed(host_pattern("127.0.0.1", 2001)), "ssh-ed25519", _blob(2)) + "\n"
        + "# a comment\n"
    )
    store = KnownHosts(path, "strict")
    assert [e.key for e in store.known("127.0.0.1", 2000)] == [base64.b64encode(_blob(1)).decode()]
    assert [e.key for e in store.known("127.0.0.1", 2001)] == [base64.b64encode(_blob(2)).decode()]
    assert store.known("127.0.0.1", 2002) == []
    assert store.known("127.0.0.1", 2000, "ssh-rsa") == []


def test_learning_from_many_threads_then_checking(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    store = KnownHosts(path, "tofu")

    def learn(port: int) -> None:
        name = host_pattern("127.0.0.1", port)
        key = base64.b64encode(_blob(port % 250)).decode()
        store.check("127.0.0.1", port, "ssh-ed25519", key, ssh2_line(name, "ssh-ed25519", _blob(port % 250)))

    threads = [threading.Thread(target=learn, args=(3000 + i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(path.read_text().splitlines()) == 40
    for i in range(40):
        learn(3000 + i)  # known now: accepted, nothing appended
        assert len(store.known("127.0.0.1", 3000 + i)) == 1
    assert len(path.read_text().splitlines()) == 40
    other = base64.b64encode(_blob(251)).decode()
    with pytest.raises(HostKeyError, match="differs"):
        store.check("127.0.0.1", 3000, "ssh-ed25519", other, ssh2_line("x", "ssh-ed25519", _blob(251)))


def test_another_writer_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    first, second = KnownHosts(path, "tofu"), KnownHosts(path, "tofu")
    assert first.known("127.0.0.1", 4000) == []
    key = base64.b64encode(_blob(7)).decode()
    second.check("127.0.0.1", 4000, "ssh-ed25519", key, ssh2_line(host_pattern("127.0.0.1", 4000), "ssh-ed25519", _blob(7)))
    assert [e.key for e in first.known("127.0.0.1", 4000)] == [key]
    path.unlink()
    assert first.known("127.0.0.1", 4000) == []
