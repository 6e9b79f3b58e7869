"""Real SSH1 clients against a running ``switch-agent serve`` (SSH-1.99) on 127.0.0.1.

OpenSSH 7.5 ``ssh1`` (3des, des, RSA key from ``ssh-keygen1``, ``-C``, an interactive ``-tt``
session), PuTTY ``plink -1`` (password, RSA key, compression, 3des/blowfish/des), the Debian
``ssh-audit -1``, the project's own :class:`Ssh1Client`, and SSH-2 clients on the same 1.99
device. ``ssh1`` needs OpenSSL's legacy provider for its ciphers (spec B.1).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import PASSWORD, USER, make_device
from tests.interop.switch_process import LEGACY_OPENSSL, SSH_OPTS, RunningSwitch, need, run, running_switch

pytestmark = pytest.mark.interop
VERSION_TEXT = "Comware Software, Version 5.20, Release 6616P01"
KEYUSER = "rsa1user"
SSH1_ENV = {"OPENSSL_CONF": str(LEGACY_OPENSSL)}
PLINK_WEAK = "Cipher={first},3des,blowfish,des,aes,chacha20,aesgcm,arcfour,WARN\n"


def _profile_with_all_ssh1_ciphers(folder: Path) -> Path:
    """The shipped profile plus single DES, which the issue wants tested (off in the shipped profile)."""
    path = folder / "s7906e-ssh1-all-ciphers.yaml"
    path.write_text(
        "name: s7906e-ssh1-all-ciphers\nextends: 3com-s7906e\nssh:\n  ssh1_ciphers: [3des, blowfish, des]\n"
    )
    return path


def _seed_rsa1_user(state: Path, profile: Path, public_key: Path) -> None:
    """Import the ssh-keygen1 public key with `public-key peer` through the device's CLI, then save."""
    device = make_device(state, profile)
    flash = state / "flash"
    flash.mkdir(parents=True, exist_ok=True)
    (flash / "rsa1.pub").write_text(public_key.read_text())
    cli = device.open_cli(USER, 3, interactive=False)
    for line in [
        "system-view",
        f"local-user {KEYUSER}",
        "service-type ssh",
        "authorization-attribute level 3",
        "quit",
        "public-key peer rsa1key import sshkey rsa1.pub",
        f"ssh user {KEYUSER} service-type stelnet authentication-type publickey assign publickey rsa1key",
    ]:
        output, status = cli.execute(line)
        assert status == 0, (line, output)
    assert device.rsa1_keys(KEYUSER), "the SSH1 key was not assigned"
    device.host_keys.rsa_private_key  # noqa: B018  (create the RSA host key now: plink needs its fingerprint)
    device.save()


@pytest.fixture(scope="module")
def rsa1_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("ssh-keygen1")
    path = tmp_path_factory.mktemp("rsa1") / "id_rsa1"
    subprocess.run(
        ["ssh-keygen1", "-q", "-t", "rsa1", "-b", "2048", "-N", "", "-C", "interop", "-f", str(path)],
        check=True,
        env={"OPENSSL_CONF": str(LEGACY_OPENSSL), "PATH": "/usr/bin:/bin"},
    )
    return path


@pytest.fixture(scope="module")
def switch(tmp_path_factory: pytest.TempPathFactory, rsa1_key: Path) -> Iterator[RunningSwitch]:
    folder = tmp_path_factory.mktemp("ssh1-switch")
    profile = _profile_with_all_ssh1_ciphers(folder)
    state = folder / "state"
    _seed_rsa1_user(state, profile, rsa1_key.with_suffix(".pub"))
    with running_switch(state, [f"{USER}:{PASSWORD}:3"], profile=str(profile)) as running:
        yield running


def _host_key_md5(switch: RunningSwitch) -> str:
    """PuTTY's SSH1 host key fingerprint: MD5 over the modulus and exponent bytes."""
    key = serialization.load_ssh_private_key((switch.state / "keys" / "ssh_host_rsa_key").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    numbers = key.public_key().public_numbers()
    raw = b"".join(v.to_bytes((v.bit_length() + 7) // 8, "big") for v in (numbers.n, numbers.e))
    digest = hashlib.md5(raw).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _ssh1(
    switch: RunningSwitch,
    *args: str,
    password: str | None = PASSWORD,
    user: str = USER,
    stdin: str = "",
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    cmd = ["ssh1", "-1", *SSH_OPTS, "-p", str(switch.port), *args[:-1], f"{user}@127.0.0.1", args[-1]]
    if args[-1] == "":
        cmd.pop()
    if password is not None:
        cmd = ["sshpass", "-p", password, *cmd]
    return run(cmd, env=SSH1_ENV, input=stdin, timeout=timeout)


def _plink(
    switch: RunningSwitch, home: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    cmd = ["plink", "-1", "-batch", "-hostkey", _host_key_md5(switch), "-P", str(switch.port), *args]
    return run(cmd, env={"HOME": str(home)}, input=stdin)


# ---------------------------------------------------------------------- OpenSSH 7.5 ssh1


@pytest.mark.parametrize("cipher", ["3des", "des"])
def test_ssh1_password_exec(switch: RunningSwitch, cipher: str) -> None:
    need("ssh1", "sshpass")
    result = _ssh1(switch, "-c", cipher, "display version")
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout


def test_ssh1_wrong_password_is_refused(switch: RunningSwitch) -> None:
    need("ssh1", "sshpass")
    result = _ssh1(switch, "display version", password="not-the-password")
    assert result.returncode != 0 and VERSION_TEXT not in result.stdout


def test_ssh1_exit_status_of_a_failing_command(switch: RunningSwitch) -> None:
    need("ssh1", "sshpass")
    result = _ssh1(switch, "display no-such-thing")
    assert result.returncode != 0 and "Unrecognized command" in result.stdout


def test_ssh1_rsa_key_login(switch: RunningSwitch, rsa1_key: Path) -> None:
    need("ssh1")
    result = _ssh1(
        switch, "-i", str(rsa1_key), "-o", "BatchMode=yes", "display version", password=None, user=KEYUSER
    )
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout


def test_ssh1_compression(switch: RunningSwitch) -> None:
    need("ssh1", "sshpass")
    result = _ssh1(switch, "-C", "-o", "CompressionLevel=9", "display current-configuration")
    assert result.returncode == 0, result.stderr
    assert "sysname" in result.stdout and "return" in result.stdout


def test_ssh1_interactive_change_seen_over_ssh2(switch: RunningSwitch) -> None:
    need("ssh1", "sshpass", "ssh")
    script = "screen-length disable\rdisplay ssh server session\rdisplay ssh server status\r"
    script += "system-view\rsysname SSH1-EDITED\rreturn\rquit\r"
    result = _ssh1(switch, "-tt", "", stdin=script)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\b1\.5\b.*3des|3des.*\b1\.5\b", result.stdout), result.stdout  # its own session row
    assert re.search(r"SSH version\s*:\s*1\.99", result.stdout), result.stdout
    assert "<SSH1-EDITED>" in result.stdout
    ssh2 = run(
        [
            "sshpass",
            "-p",
            PASSWORD,
            "ssh",
            *SSH_OPTS,
            "-o",
            "PubkeyAuthentication=no",
            "-p",
            str(switch.port),
            f"{USER}@127.0.0.1",
            "display current-configuration",
        ]
    )
    assert ssh2.returncode == 0, ssh2.stderr
    assert "sysname SSH1-EDITED" in ssh2.stdout


# ---------------------------------------------------------------------- PuTTY plink -1


def test_plink_password(switch: RunningSwitch, tmp_path: Path) -> None:
    need("plink")
    result = _plink(switch, tmp_path, "-pw", PASSWORD, f"{USER}@127.0.0.1", "display version")
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout


def test_plink_rsa_key(switch: RunningSwitch, rsa1_key: Path, tmp_path: Path) -> None:
    need("plink")
    result = _plink(switch, tmp_path, "-i", str(rsa1_key), f"{KEYUSER}@127.0.0.1", "display version")
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout


def test_plink_compression_and_pty(switch: RunningSwitch, tmp_path: Path) -> None:
    need("plink")
    result = _plink(switch, tmp_path, "-C", "-t", "-pw", PASSWORD, f"{USER}@127.0.0.1", "display version")
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout


@pytest.mark.parametrize("cipher", ["3des", "blowfish", "des"])
def test_plink_ciphers(switch: RunningSwitch, tmp_path: Path, cipher: str) -> None:
    """des and blowfish sit below PuTTY's WARN line; a saved session puts the wanted one first (spec B.1)."""
    need("plink")
    sessions = tmp_path / ".putty" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "ssh1weak").write_text(PLINK_WEAK.format(first=cipher))
    result = _plink(
        switch, tmp_path, "-load", "ssh1weak", "-pw", PASSWORD, f"{USER}@127.0.0.1", "display version"
    )
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout
    assert switch.wait_log(rf"client='PuTTY[^']*' cipher={cipher} ", timeout=5.0)


# ---------------------------------------------------------------------- ssh-audit, own client, SSH-2 on the same device


def test_ssh_audit_reads_the_ssh1_key_packet(switch: RunningSwitch) -> None:
    need("ssh-audit")
    result = run(["ssh-audit", "-1", "-n", "-p", str(switch.port), "127.0.0.1"])
    text = result.stdout
    assert "SSH-1.99-Comware-5.20" in text and "protocol SSH1 enabled" in text, text
    for name in ("3des", "blowfish", "des", "password", "rsa", "ssh-rsa1"):
        assert name in text


def test_own_ssh1_client_exec_and_shell(switch: RunningSwitch, rsa1_key: Path) -> None:
    from agent.ssh1.transport import Ssh1Client

    with Ssh1Client() as client:
        client.connect(switch.host, switch.port, USER, password=PASSWORD, timeout=20)
        output, status = client.exec("display version")
        assert status == 0 and VERSION_TEXT.encode() in output
        client.open_shell(width=120, height=40)
        assert re.search(rb"<[^>\r\n]+>$", client.read_until(re.compile(rb"<[^>\r\n]+>"), timeout=10))
        client.send("screen-length disable\rdisplay version\r")
        assert VERSION_TEXT.encode() in client.read_until("Patch Version", timeout=10)
        client.send("quit\r")
        client.read_until(timeout=5)
        assert client.exit_status == 0
    with Ssh1Client() as client:
        client.connect(switch.host, switch.port, KEYUSER, key=rsa1_key, compression=6, timeout=20)
        assert client.compression_accepted
        output, status = client.exec("display version")
        assert status == 0 and VERSION_TEXT.encode() in output


def test_ssh2_clients_still_connect_to_the_199_device(switch: RunningSwitch) -> None:
    need("ssh", "sshpass")
    result = run(
        [
            "sshpass",
            "-p",
            PASSWORD,
            "ssh",
            *SSH_OPTS,
            "-o",
            "PubkeyAuthentication=no",
            "-p",
            str(switch.port),
            f"{USER}@127.0.0.1",
            "display version",
        ]
    )
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout
    paramiko = pytest.importorskip("paramiko")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect(
            switch.host, switch.port, USER, PASSWORD, look_for_keys=False, allow_agent=False, timeout=20
        )
        _, stdout, _ = client.exec_command("display version")
        assert VERSION_TEXT in stdout.read().decode()
    finally:
        client.close()


# ---------------------------------------------------------------------- an SSH1-only device (announces SSH-1.5)


def test_ssh1_only_device(tmp_path: Path) -> None:
    need("ssh1", "sshpass")
    from agent.ssh1.transport import Ssh1Client

    with running_switch(
        tmp_path / "state", [f"{USER}:{PASSWORD}:3"], profile="device_profiles/3com-s7906e-ssh1.yaml"
    ) as sw:
        result = _ssh1(sw, "display version")
        assert result.returncode == 0, result.stderr
        assert VERSION_TEXT in result.stdout
        with Ssh1Client() as client:
            client.connect(sw.host, sw.port, USER, password=PASSWORD, timeout=20)
            output, status = client.exec("display version")
            assert status == 0 and VERSION_TEXT.encode() in output
        paramiko = pytest.importorskip("paramiko")
        transport = paramiko.Transport((sw.host, sw.port))
        with pytest.raises(paramiko.SSHException, match="Incompatible version"):
            transport.start_client(timeout=10)
        transport.close()
