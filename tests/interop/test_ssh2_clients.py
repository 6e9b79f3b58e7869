"""Real SSH-2 clients against a running ``switch-agent serve`` on 127.0.0.1.

OpenSSH 9.2 (every algorithm forced in turn), PuTTY plink, dropbear dbclient, paramiko,
asyncssh and netmiko's hp_comware driver; public-key login with ed25519, ecdsa and RSA keys.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSWORD, USER
from tests.interop.switch_process import ROOT, SSH_OPTS, RunningSwitch, need, run, running_switch

pytestmark = pytest.mark.interop
VERSION_TEXT = "Comware Software, Version 5.20, Release 6616P01"
KEYUSER = "keyuser"


def _seed_key_user(state: Path, keys: dict[str, Path]) -> None:
    """Configure a publickey-only user through the device's own CLI, then save (before the server starts)."""
    from tests.helpers import make_device

    device = make_device(state)
    flash = state / "flash"
    flash.mkdir(parents=True, exist_ok=True)
    cli = device.open_cli(USER, 3, interactive=False)
    lines = ["system-view"]
    for kind, path in keys.items():
        (flash / f"{kind}.pub").write_text(path.with_suffix(".pub").read_text())
        user = f"{KEYUSER}-{kind}"  # Comware assigns one public key per SSH user
        lines += [
            f"local-user {user}",
            "service-type ssh",
            "authorization-attribute level 3",
            "quit",
            f"public-key peer {kind}key import sshkey {kind}.pub",
            f"ssh user {user} service-type stelnet authentication-type publickey assign publickey {kind}key",
        ]
    for line in lines:
        output, status = cli.execute(line)
        assert status == 0, (line, output)
    for kind in keys:
        assert device.authorized_keys(f"{KEYUSER}-{kind}"), "key assignment did not take"
    device.save()


@pytest.fixture(scope="module")
def user_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    need("ssh-keygen")
    folder = tmp_path_factory.mktemp("keys")
    keys = {}
    for kind, extra in (("ed25519", []), ("ecdsa", ["-b", "256"]), ("rsa", ["-b", "2048"])):
        path = folder / f"id_{kind}"
        subprocess.run(["ssh-keygen", "-q", "-t", kind, *extra, "-N", "", "-f", str(path)], check=True)
        keys[kind] = path
    return keys


@pytest.fixture(scope="module")
def switch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSwitch]:
    state = tmp_path_factory.mktemp("ssh2") / "state"
    with running_switch(state, [f"{USER}:{PASSWORD}:3"]) as running:
        yield running


def ssh(switch: RunningSwitch, *args: str, command: str = "display version", timeout: float = 30) -> subprocess.CompletedProcess[str]:
    need("ssh", "sshpass")
    cmd = ["sshpass", "-p", PASSWORD, "ssh", *SSH_OPTS, "-o", "PubkeyAuthentication=no", "-p", str(switch.port)]
    return run([*cmd, *args, f"{USER}@{switch.host}", command], timeout=timeout)


def test_openssh_default_negotiates_chacha(switch: RunningSwitch) -> None:
    before = switch.connection_lines()
    result = ssh(switch)
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout
    line = switch.wait_log(" peer=", count=before + 1)
    assert re.search(r"client=OpenSSH_9\S* kex=curve25519-sha256 hostkey=ssh-ed25519 cipher=chacha20-poly1305@openssh.com", line)


@pytest.mark.parametrize(
    "option",
    [
        *[
            ["-o", f"KexAlgorithms={k}"]
            for k in (
                "curve25519-sha256",
                "curve25519-sha256@libssh.org",
                "ecdh-sha2-nistp256",
                "ecdh-sha2-nistp384",
                "ecdh-sha2-nistp521",
                "diffie-hellman-group-exchange-sha256",
                "diffie-hellman-group16-sha512",
                "diffie-hellman-group18-sha512",
                "diffie-hellman-group14-sha256",
                "diffie-hellman-group14-sha1",
                "diffie-hellman-group-exchange-sha1",
                "diffie-hellman-group1-sha1",
            )
        ],
        *[["-o", f"HostKeyAlgorithms={h}"] for h in ("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")],
        *[
            ["-c", c]
            for c in (
                "chacha20-poly1305@openssh.com",
                "aes128-gcm@openssh.com",
                "aes256-gcm@openssh.com",
                "aes128-ctr",
                "aes192-ctr",
                "aes256-ctr",
                "aes128-cbc",
                "aes256-cbc",
                "3des-cbc",
            )
        ],
        *[
            ["-c", "aes128-ctr", "-m", m]
            for m in (
                "hmac-sha2-256-etm@openssh.com",
                "hmac-sha2-512-etm@openssh.com",
                "hmac-sha2-256",
                "hmac-sha2-512",
                "hmac-sha1",
                "hmac-sha1-96",
                "hmac-md5",
                "hmac-md5-96",
            )
        ],
        ["-C"],
    ],
    ids=lambda o: " ".join(o),
)
def test_openssh_forced_algorithm(switch: RunningSwitch, option: list[str]) -> None:
    before = switch.connection_lines()
    result = ssh(switch, *option)
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout
    line = switch.wait_log(" peer=", count=before + 1)
    value = option[-1].split("=")[-1]
    if option == ["-C"]:
        value = "comp=zlib@openssh.com"
    assert value in line, line


def test_openssh_interactive_session(switch: RunningSwitch) -> None:
    need("ssh", "sshpass")
    cmd = ["sshpass", "-p", PASSWORD, "ssh", "-tt", *SSH_OPTS, "-o", "PubkeyAuthentication=no", "-p", str(switch.port)]
    result = run([*cmd, f"{USER}@{switch.host}"], input="screen-length disable\ndisplay version\nquit\n", timeout=30)
    assert result.returncode == 0, result.stderr
    assert "<SW7906E>" in result.stdout and VERSION_TEXT in result.stdout


def test_unsupported_version_is_refused(switch: RunningSwitch) -> None:
    import socket

    with socket.create_connection((switch.host, switch.port), timeout=5) as sock:
        banner = sock.recv(256)
        sock.sendall(b"SSH-3.0-future\r\n")
        reply = sock.recv(256)
    assert banner.startswith(b"SSH-1.99-Comware-5.20") or banner.startswith(b"SSH-2.0-Comware-5.20")
    assert reply == b"Protocol major versions differ.\n"


def _paramiko_login(switch: RunningSwitch, **options: object):  # noqa: ANN202 - paramiko.SSHClient
    """A paramiko client logged in as USER with PASSWORD (and ``options``, e.g. a key file)."""
    import paramiko

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        switch.host, switch.port, USER, PASSWORD, look_for_keys=False, allow_agent=False, timeout=10, **options
    )
    return client


def _fingerprint(switch: RunningSwitch) -> str:
    out = run(["ssh-keygen", "-lf", str(switch.state / "keys" / "ssh_host_ed25519_key.pub")]).stdout
    return out.split()[1]


def test_plink(switch: RunningSwitch) -> None:
    need("plink")
    cmd = ["plink", "-ssh", "-batch", "-hostkey", _fingerprint(switch), "-pw", PASSWORD, "-P", str(switch.port)]
    result = run([*cmd, f"{USER}@{switch.host}", "display version"])
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout


def test_dbclient(switch: RunningSwitch) -> None:
    need("dbclient")
    before = switch.connection_lines()
    result = run(["dbclient", "-y", "-p", str(switch.port), f"{USER}@{switch.host}", "display version"], env={"DROPBEAR_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    assert VERSION_TEXT in result.stdout
    assert "client=dropbear" in switch.wait_log(" peer=", count=before + 1)


def test_paramiko(switch: RunningSwitch) -> None:

    client = _paramiko_login(switch)
    try:
        _, stdout, _ = client.exec_command("display version", timeout=10)
        assert VERSION_TEXT in stdout.read().decode()
        assert stdout.channel.recv_exit_status() == 0
    finally:
        client.close()


def test_asyncssh(switch: RunningSwitch) -> None:
    import asyncssh

    async def go() -> None:
        async with asyncssh.connect(switch.host, switch.port, username=USER, password=PASSWORD, known_hosts=None) as conn:
            result = await conn.run("display version", timeout=10)
            assert VERSION_TEXT in str(result.stdout) and result.exit_status == 0
            bad = await conn.run("dispaly version", timeout=10)
            assert "% Unrecognized command found at '^' position." in str(bad.stdout)

    asyncio.run(asyncio.wait_for(go(), 30))


def test_netmiko_hp_comware(switch: RunningSwitch) -> None:
    from netmiko import ConnectHandler

    conn = ConnectHandler(
        device_type="hp_comware", host=switch.host, port=switch.port, username=USER, password=PASSWORD, timeout=20
    )
    try:
        assert conn.find_prompt() == "<SW7906E>"
        assert VERSION_TEXT in conn.send_command("display version")
    finally:
        conn.disconnect()


def test_forwarding_is_refused(switch: RunningSwitch) -> None:
    import paramiko

    client = _paramiko_login(switch)
    try:
        transport = client.get_transport()
        assert transport is not None
        with pytest.raises(paramiko.ChannelException) as info:
            transport.open_channel("direct-tcpip", ("127.0.0.1", 22), ("127.0.0.1", 5555), timeout=5)
        assert info.value.code == 1  # administratively prohibited
        with pytest.raises(paramiko.SSHException):
            transport.request_port_forward("127.0.0.1", 0)
    finally:
        client.close()


@pytest.fixture(scope="module")
def key_switch(tmp_path_factory: pytest.TempPathFactory, user_keys: dict[str, Path]) -> Iterator[RunningSwitch]:
    state = tmp_path_factory.mktemp("ssh2keys") / "state"
    _seed_key_user(state, user_keys)
    with running_switch(state, [f"{USER}:{PASSWORD}:3"]) as running:
        yield running


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_public_key_login(key_switch: RunningSwitch, user_keys: dict[str, Path], kind: str) -> None:
    need("ssh")
    before = key_switch.connection_lines()
    cmd = ["ssh", *SSH_OPTS, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", str(user_keys[kind])]
    if kind == "rsa":
        cmd += ["-o", "PubkeyAcceptedAlgorithms=rsa-sha2-512"]
    result = run([*cmd, "-p", str(key_switch.port), f"{KEYUSER}-{kind}@{key_switch.host}", "display version"])
    assert result.returncode == 0, result.stderr + key_switch.log_text()[-2000:]
    assert VERSION_TEXT in result.stdout
    assert "login ok (publickey" in key_switch.wait_log(" peer=", count=before + 1)


def test_no_common_algorithm_is_logged_with_both_lists(switch: RunningSwitch) -> None:
    before = switch.connection_lines()
    result = ssh(switch, "-o", "KexAlgorithms=sntrup761x25519-sha512@openssh.com")
    assert result.returncode != 0
    line = switch.wait_log(" peer=", count=before + 1)
    assert "no matching kex: client offers [sntrup761x25519-sha512@openssh.com" in line
    assert "server offers [mlkem768x25519-sha256,curve25519-sha256" in line


def test_legacy_profile_reproduces_modern_client_failure(tmp_path: Path) -> None:
    """A device that offers only legacy algorithms: OpenSSH 9.2 fails by default, works with them enabled."""
    need("ssh", "sshpass")
    with running_switch(tmp_path / "legacy", [f"{USER}:{PASSWORD}:3"], profile="device_profiles/3com-s7906e-legacy.yaml") as legacy:
        default = ssh(legacy)
        assert default.returncode != 0
        failure = legacy.wait_log("no matching")
        assert "no matching kex: client offers [" in failure and "server offers [diffie-hellman-group14-sha1," in failure
        enabled = ssh(
            legacy,
            "-o", "KexAlgorithms=+diffie-hellman-group14-sha1",
            "-o", "HostKeyAlgorithms=+ssh-rsa",
            "-o", "Ciphers=+aes128-cbc",
        )
        assert enabled.returncode == 0, enabled.stderr
        assert VERSION_TEXT in enabled.stdout
        line = legacy.wait_log("login ok")
        assert "kex=diffie-hellman-group14-sha1 hostkey=ssh-rsa cipher=aes128-cbc mac=hmac-sha1" in line


def test_paramiko_unaccepted_key_then_password(switch: RunningSwitch, user_keys: dict[str, Path]) -> None:
    """paramiko asks for ssh-userauth again before each method: a refused key must not end the login."""

    client = _paramiko_login(switch, key_filename=str(user_keys["ed25519"]))
    try:
        _, stdout, _ = client.exec_command("display version", timeout=10)
        assert VERSION_TEXT in stdout.read().decode()
    finally:
        client.close()


def test_rekey_started_by_the_client(switch: RunningSwitch) -> None:
    """paramiko re-keys on request in the middle of an interactive session; the CLI carries on."""

    before = switch.connection_lines()
    client = _paramiko_login(switch)
    try:
        transport = client.get_transport()
        assert transport is not None
        session_id = transport.session_id
        shell = client.invoke_shell(width=200, height=1000)
        shell.settimeout(10)

        def command(line: str) -> str:
            shell.send(line + "\n")
            received = b""
            while not received.rstrip().endswith(b"<SW7906E>") or line.encode() not in received:
                received += shell.recv(65536)
            return received.decode()

        command("screen-length disable")
        for _ in range(2):
            assert "Comware Software" in command("display version")
            transport.renegotiate_keys()
        assert "Comware Software" in command("display version")
        assert transport.session_id == session_id
    finally:
        client.close()
    line = switch.wait_log(" peer=", count=before + 1)
    assert "rekeyed 2 time(s)" in line, line


def test_rekey_started_by_the_device(tmp_path: Path) -> None:
    """A profile whose device re-keys after 64 KiB: the server starts the exchanges mid-output."""

    profile = tmp_path / "rekeying.yaml"
    profile.write_text(
        f"name: rekeying\nextends: {ROOT / 'device_profiles' / '3com-s7906e.yaml'}\nssh:\n  rekey_bytes: 65536\n"
    )
    with running_switch(tmp_path / "state", [f"{USER}:{PASSWORD}:3"], profile=str(profile)) as rekeying:
        client = _paramiko_login(rekeying)
        try:
            _, stdout, _ = client.exec_command("display interface", timeout=30)
            text = stdout.read().decode()
            assert text.count("current state") >= 100
        finally:
            client.close()
        line = rekeying.wait_log(" peer=")
        rekeys = int(re.search(r"rekeyed (\d+) time", line).group(1))  # type: ignore[union-attr]
        assert rekeys >= 2, line  # 160 KB of output over 64 KiB key lifetimes
