"""known_hosts handling: OpenSSH's own ssh-keygen reads what we write and we read what it hashes;
RSA1 lines; the three policies; many threads learning at once."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import paramiko
import pytest

from agent.fleet.errors import classify
from agent.fleet.hostkeys import HostKeyError, KnownHosts, host_pattern, parse_line


def _key() -> paramiko.PKey:
    return paramiko.ECDSAKey.generate()


def test_host_pattern_follows_openssh() -> None:
    assert host_pattern("10.0.0.1", 22) == "10.0.0.1"
    assert host_pattern("127.0.0.1", 2222) == "[127.0.0.1]:2222"


def test_tofu_learns_then_refuses_a_changed_key(tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "kh", "tofu")
    key = _key()
    store.check_ssh2("127.0.0.1", 2222, key)
    store.check_ssh2("127.0.0.1", 2222, key)  # same key: accepted, not written twice
    assert len((tmp_path / "kh").read_text().splitlines()) == 1
    with pytest.raises(HostKeyError) as caught:
        store.check_ssh2("127.0.0.1", 2222, _key())
    assert classify(caught.value) == "host key" and "differs" in str(caught.value)
    store.check_ssh2("127.0.0.1", 2223, _key())  # another port is another host
    assert len((tmp_path / "kh").read_text().splitlines()) == 2


def test_strict_and_off(tmp_path: Path) -> None:
    with pytest.raises(HostKeyError, match="not found"):
        KnownHosts(tmp_path / "kh", "strict").check_ssh2("127.0.0.1", 2222, _key())
    assert not (tmp_path / "kh").exists()
    KnownHosts(tmp_path / "kh", "off").check_ssh2("127.0.0.1", 2222, _key())
    assert not (tmp_path / "kh").exists()
    with pytest.raises(ValueError, match="strict, tofu, off"):
        KnownHosts(tmp_path / "kh", "sometimes")


def test_rsa1_entries(tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "kh", "tofu")
    n = (1 << 1023) + 12345
    store.check_ssh1("127.0.0.1", 2040, 65537, n)
    assert (tmp_path / "kh").read_text() == f"[127.0.0.1]:2040 1024 65537 {n}\n"
    store.check_ssh1("127.0.0.1", 2040, 65537, n)
    with pytest.raises(HostKeyError, match="SSH1 RSA"):
        store.check_ssh1("127.0.0.1", 2040, 65537, n + 2)


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is not installed")
def test_openssh_reads_ours_and_we_read_its_hashed_file(tmp_path: Path) -> None:
    path = tmp_path / "kh"
    key = _key()
    KnownHosts(path, "tofu").check_ssh2("127.0.0.1", 2222, key)
    found = subprocess.run(["ssh-keygen", "-F", "[127.0.0.1]:2222", "-f", str(path)], capture_output=True, text=True)
    assert found.returncode == 0 and key.get_base64() in found.stdout
    subprocess.run(["ssh-keygen", "-H", "-f", str(path)], check=True, capture_output=True)
    assert path.read_text().startswith("|1|")
    KnownHosts(path, "strict").check_ssh2("127.0.0.1", 2222, key)  # hashed name still matches
    with pytest.raises(HostKeyError):
        KnownHosts(path, "strict").check_ssh2("127.0.0.1", 2222, _key())


def test_unknown_shapes_are_ignored() -> None:
    assert parse_line("# a comment") is None
    assert parse_line("@cert-authority *.example ssh-ed25519 AAAA") is None
    assert parse_line("") is None and parse_line("justonefield") is None


def test_many_threads_learn_once_each(tmp_path: Path) -> None:
    keys = {port: _key() for port in range(3000, 3020)}
    errors: list[BaseException] = []

    def learn(port: int) -> None:
        try:
            KnownHosts(tmp_path / "kh", "tofu").check_ssh2("127.0.0.1", port, keys[port])
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=learn, args=(port,)) for port in keys for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    lines = (tmp_path / "kh").read_text().splitlines()
    assert len(lines) == 20 and len(set(lines)) == 20
