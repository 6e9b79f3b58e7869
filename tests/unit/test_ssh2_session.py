"""The SSH-2 server core against the project's client core, in memory, with a real device."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from agent.ssh2.algorithms.hostkey import host_key_from_private
from agent.ssh2.client import ClientOptions
from tests.helpers import PASSWORD, PROFILE, USER
from tests.ssh2_pair import make_pair, pump

OFFERED = PROFILE.ssh.algorithms


def _exec(device, **overrides):  # type: ignore[no-untyped-def]
    options = ClientOptions(username=USER, password=PASSWORD, command="display version", **overrides)
    client, server = make_pair(device, options)
    pump(client, server)
    return client, server


def test_password_exec(shared_device) -> None:  # type: ignore[no-untyped-def]
    client, server = _exec(shared_device)
    assert client.authenticated and client.exit_status == 0
    assert b"Comware Software, Version 5.20" in client.output
    assert server.negotiated is not None and server.negotiated.kex == "mlkem768x25519-sha256"
    assert server.strict_kex


@pytest.mark.parametrize("kex", OFFERED.kex)
def test_each_kex(shared_device, kex: str) -> None:  # type: ignore[no-untyped-def]
    client, server = _exec(shared_device, kex=[kex])
    assert client.exit_status == 0 and server.negotiated.kex == kex  # type: ignore[union-attr]


@pytest.mark.parametrize("host_key", ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"])
def test_each_host_key(shared_device, host_key: str) -> None:  # type: ignore[no-untyped-def]
    client, server = _exec(shared_device, kex=["curve25519-sha256"], host_key=[host_key])
    assert client.exit_status == 0 and server.negotiated.host_key == host_key  # type: ignore[union-attr]


@pytest.mark.parametrize("cipher", OFFERED.cipher)
@pytest.mark.parametrize("compression", OFFERED.compression)
def test_each_cipher_and_compression(shared_device, cipher: str, compression: str) -> None:  # type: ignore[no-untyped-def]
    client, server = _exec(shared_device, kex=["curve25519-sha256"], cipher=[cipher], compression=[compression])
    assert client.exit_status == 0, server.disconnect_reason
    assert server.negotiated.cipher_s2c == cipher and server.negotiated.compression_c2s == compression  # type: ignore[union-attr]


def test_wrong_password_and_missing_user_look_the_same(shared_device) -> None:  # type: ignore[no-untyped-def]
    transcripts = []
    for user, password in ((USER, "wrong-password"), ("nobody-here", "wrong-password")):
        client, server = make_pair(shared_device, ClientOptions(username=user, password=password, command="x"))
        pump(client, server)
        assert not client.authenticated
        assert server.auth is not None and server.auth.failures == 1
        transcripts.append(server.auth.failures)
    assert transcripts[0] == transcripts[1]


def test_retries_limit_disconnects(shared_device) -> None:  # type: ignore[no-untyped-def]
    from agent.ssh2.auth import ServerAuth

    options = ClientOptions(username=USER, password="bad", command="x", auth_attempts=10)
    client, server = make_pair(shared_device, options)
    pump(client, server)
    assert isinstance(server.auth, ServerAuth)
    assert server.auth.failures == shared_device.ssh.authentication_retries == 3
    assert server.closed and "Too many authentication failures" in (server.disconnect_reason or "")


def test_auth_timeout(shared_device) -> None:  # type: ignore[no-untyped-def]
    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, command="x"))
    assert server.next_deadline() == server.auth_deadline
    server.on_deadline(server.auth_deadline + 0.1)
    assert server.closed and server.disconnect_reason == "Authentication timeout"


@pytest.mark.parametrize(
    ("make_key", "algorithm"),
    [
        (ed25519.Ed25519PrivateKey.generate, "ssh-ed25519"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), "ecdsa-sha2-nistp256"),
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), "rsa-sha2-512"),
    ],
)
def test_public_key_login(device, make_key, algorithm: str) -> None:  # type: ignore[no-untyped-def]
    key = host_key_from_private(make_key())
    public_line = key.private_key.public_key().public_bytes(  # type: ignore[attr-defined]
        __import__("cryptography.hazmat.primitives.serialization", fromlist=["x"]).Encoding.OpenSSH,
        __import__("cryptography.hazmat.primitives.serialization", fromlist=["x"]).PublicFormat.OpenSSH,
    )
    flash = device.state_dir / "flash"
    flash.mkdir(parents=True, exist_ok=True)
    (flash / "admin.pub").write_bytes(public_line + b" admin@test\n")
    cli = device.open_cli(USER, 3, interactive=False)
    for line in (
        "system-view",
        "public-key peer adminkey import sshkey admin.pub",
        f"ssh user {USER} service-type stelnet authentication-type publickey assign publickey adminkey",
    ):
        output, status = cli.execute(line)
        assert status == 0, output
    assert key.blob in device.authorized_keys(USER), output
    client, server = make_pair(device, ClientOptions(username=USER, key=key, key_algorithm=algorithm, command="display version"))
    pump(client, server)
    assert client.authenticated and server.auth_method == "publickey" and client.exit_status == 0


def test_interactive_shell_and_quit(shared_device) -> None:  # type: ignore[no-untyped-def]
    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, command=None))
    pump(client, server)
    assert b"<SW7906E>" in client.output
    client.write(b"screen-length disable\r")
    client.write(b"display version\r")
    pump(client, server)
    assert b"Comware Software" in client.output
    client.write(b"quit\r")
    pump(client, server)
    assert client.channel_closed and client.exit_status == 0


def test_rekey_from_either_side(shared_device) -> None:  # type: ignore[no-untyped-def]
    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, command=None))
    pump(client, server)
    first_sid = server.session_id
    server.send_kexinit()  # server-initiated
    pump(client, server)
    assert server.kex_count == 2 and client.kex_count == 2 and server.session_id == first_sid
    client.send_kexinit()  # client-initiated
    client.write(b"display clock\r")  # queued during the kex, delivered after it
    pump(client, server)
    assert server.kex_count == 3 and not server.closed
    assert b"display clock" in client.output


def test_rekey_by_volume(shared_device) -> None:  # type: ignore[no-untyped-def]
    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, command=None))
    pump(client, server)
    server.rekey_bytes = 4096
    for _ in range(40):
        client.write(b"display version\r")
        pump(client, server)
    assert server.kex_count >= 2 and not server.closed and not client.closed


def test_no_common_cipher_is_key_exchange_failed_naming_both_lists(shared_device) -> None:  # type: ignore[no-untyped-def]
    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, cipher=["aes192-cbc"]))
    pump(client, server)
    assert server.closed
    reason = server.disconnect_reason or ""
    assert "no matching cipher c2s" in reason
    assert "client offers [aes192-cbc]" in reason and "server offers [chacha20-poly1305@openssh.com," in reason


def test_disconnect_reason_code_on_the_wire(shared_device) -> None:  # type: ignore[no-untyped-def]
    from agent.errors import DisconnectReason
    from agent.wire import Reader

    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, kex=["diffie-hellman-group1-sha1x"]))
    server.receive_data(client.data_to_send())
    out = server.data_to_send()
    # Last packet in the clear: DISCONNECT with KEY_EXCHANGE_FAILED.
    payloads = []
    from agent.ssh2.packet import PacketReader

    reader = PacketReader()
    reader.feed(out)
    while (payload := reader.next_payload()) is not None:
        payloads.append(payload)
    assert payloads[-1][0] == 1
    assert Reader(payloads[-1], 1).uint32() == DisconnectReason.KEY_EXCHANGE_FAILED


@pytest.mark.parametrize("strict", [False, True])
def test_ignore_before_kexinit(shared_device, strict: bool) -> None:  # type: ignore[no-untyped-def]
    """IGNORE first is fine without strict KEX; with strict KEX it is a violation, never a crash."""
    from agent.ssh2.negotiation import KexInit
    from agent.ssh2.packet import PacketWriter

    kex = ["curve25519-sha256", *(["kex-strict-c-v00@openssh.com"] if strict else [])]
    client_kexinit = KexInit.build(kex, ["ssh-ed25519"], ["aes128-ctr"], ["hmac-sha2-256"], ["none"])
    writer = PacketWriter()
    _, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD))
    server.data_to_send()
    server.receive_data(writer.pack(b"\x02" + b"\x00\x00\x00\x03abc") + writer.pack(client_kexinit.payload))
    server.data_to_send()
    if strict:
        assert server.closed and "KEXINIT was not the first packet" in (server.disconnect_reason or "")
    else:
        assert not server.closed and server.in_kex


@pytest.mark.parametrize("command", ["display version", ""])
def test_a_finished_connection_leaves_no_reference_cycle(shared_device, command: str) -> None:  # type: ignore[no-untyped-def]
    """Freed by reference counting when it ends: a lab's memory does not wait for the collector."""
    import gc

    options = ClientOptions(username=USER, password=PASSWORD, command=command or None)
    client, server = make_pair(shared_device, options)
    pump(client, server)
    if not command:  # an interactive shell: type a command, leave it open as a dropped session would
        client.write(b"display clock\r")
        pump(client, server)
    assert client.authenticated
    server.connection_lost()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        del client, server
        gc.collect()
        ours = [type(o).__name__ for o in gc.garbage if type(o).__module__.startswith("agent.")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert ours == []


def test_a_clients_ext_info_is_accepted_and_an_unknown_message_is_unimplemented(shared_device) -> None:  # type: ignore[no-untyped-def]
    """RFC 8308: a client may send EXT_INFO after its NEWKEYS; RFC 4253 11.4: UNIMPLEMENTED is
    only for messages the server does not recognise."""
    from agent.wire import byte, string, uint32

    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, command=None))
    pump(client, server)
    assert client.authenticated and not server.closed
    client.send_payload(byte(7) + uint32(1) + string(b"publickey-hostbound@openssh.com") + string(b"0"))
    server.receive_data(client.data_to_send())
    assert server.data_to_send() == b"" and not server.closed
    client.send_payload(byte(200) + b"local extension")
    server.receive_data(client.data_to_send())
    assert server.data_to_send() != b"" and not server.closed  # SSH_MSG_UNIMPLEMENTED
