"""SSH1 server and client cores wired together in memory: every stage of a login, no sockets.

The device is the real :class:`agent.device.Device` (S7906E profile, lab user admin /
admin-secret at level 3) with its real CLI; host keys are generated once per run and copied.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.device.model import PeerKey
from agent.identification import IdentificationReader
from agent.ssh1.client import (
    Authenticated,
    AuthenticationFailed,
    Disconnected,
    ExitStatus,
    Output,
    RequestAnswered,
    ServerKeys,
    SessionStarted,
    Ssh1ClientCore,
)
from agent.ssh1.crc import ssh1_crc32
from agent.ssh1.messages import IPTOS_LOWDELAY, IPTOS_THROUGHPUT, Msg
from agent.ssh1.packet import PacketReader
from agent.ssh1.server import Ssh1ServerCore
from agent.ssh1.server_key import ServerKeyCache
from agent.wire import Reader, mpint1, string, uint32
from tests.helpers import SSH1_PASSWORD, SSH1_USER_KEY, VERSION_MARK, add_rsa_key, set_ssh1, ssh1_device

SERVER_LINE = "SSH-1.99-Comware-5.20"
SERVER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)
USER_KEY = SSH1_USER_KEY
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)
PASSWORD = SSH1_PASSWORD


def _en(key: rsa.RSAPrivateKey) -> tuple[int, int]:
    numbers = key.public_key().public_numbers()
    return numbers.e, numbers.n


@pytest.fixture
def device(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return ssh1_device(tmp_path / "state", tmp_path_factory.getbasetemp() / "ssh1-shared-host-keys")


# ---------------------------------------------------------------------- in-memory connection


@dataclass
class Pair:
    server: Ssh1ServerCore
    client: Ssh1ClientCore
    events: list[Any] = field(default_factory=list)
    server_types: list[int] = field(default_factory=list)  # every packet type the server sent
    server_wire: bytearray = field(default_factory=bytearray)  # every byte the server sent

    def pump(self, rounds: int = 200) -> list[Any]:
        """Move bytes both ways until both sides are quiet; return the client's new events."""
        new: list[Any] = []
        for _ in range(rounds):
            to_client = self.server.data_to_send()
            to_server = self.client.data_to_send()
            if to_client:
                self.server_wire += to_client
                self.client.receive_data(to_client)
            if to_server:
                self.server.receive_data(to_server)
            new += self.client.events()
            if not to_client and not to_server:
                if not self.server.has_backlog:
                    break
                self.server.process_backlog()  # the driver's next event-loop turn
        self.events += new
        return new

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def take_server(self) -> bytes:
        data = self.server.data_to_send()
        self.server_wire += data
        return data

    def to_auth_phase(self) -> None:
        """Key exchange and USER, then keep the server's FAILURE from the client (which would give up)."""
        self.client.receive_data(self.take_server())  # PUBLIC_KEY
        self.server.receive_data(self.client.data_to_send())  # SESSION_KEY
        self.client.receive_data(self.take_server())  # first encrypted SUCCESS
        self.server.receive_data(self.client.data_to_send())  # USER
        # FAILURE (authentication needed): decrypted to keep the cipher chain in step, but not
        # dispatched, because a client without methods left would give up
        self.client._reader.feed(self.take_server())
        assert self.client._reader.next_packet() == (Msg.SMSG_FAILURE, b"")
        self.events += self.client.events()
        self.client._phase = "auth"

    def send(self, msg_type: int, payload: bytes = b"") -> None:
        """A hand-made client packet, encrypted with the client's cipher state."""
        self.server.receive_data(self.client._writer.encode(msg_type, payload))

    def session_key_packet(self) -> tuple[int, bytes]:
        """Let the client answer PUBLIC_KEY and return its (unencrypted) SESSION_KEY packet instead of sending it."""
        self.client.receive_data(self.take_server())
        reader = PacketReader()
        reader.feed(self.client.data_to_send())
        packet = reader.next_packet()
        assert packet is not None and packet[0] == Msg.CMSG_SESSION_KEY
        return packet


def connect(
    device: Any,
    username: str = "admin",
    *,
    password: str | bytes | None = PASSWORD,
    rsa_key: rsa.RSAPrivateKey | None = None,
    cipher: str = "3des",
    peer: str = "127.0.0.1:50022",
    clock: Callable[[], float] | None = None,
    server_key: Any = SERVER_KEY,
    pad_passwords: bool = True,
    pump: bool = True,
) -> Pair:
    client = Ssh1ClientCore(
        username, password=password, rsa_key=rsa_key, cipher=cipher, pad_passwords=pad_passwords
    )
    client.receive_data((SERVER_LINE + "\r\n").encode())
    ident = IdentificationReader()
    version = ident.feed(client.data_to_send())
    assert version is not None and version.protocol == "1.5"
    kwargs: dict[str, Any] = {"server_key": server_key}
    if clock is not None:
        kwargs["clock"] = clock
    server = Ssh1ServerCore(device, version, SERVER_LINE, peer, **kwargs)
    pair = Pair(server, client, server_types=[Msg.SMSG_PUBLIC_KEY])  # sent by the constructor
    original = server._writer.encode

    def recording_encode(msg_type: int, payload: bytes = b"") -> bytes:
        pair.server_types.append(msg_type)
        return original(msg_type, payload)

    server._writer.encode = recording_encode  # type: ignore[method-assign]
    server.receive_data(ident.leftover)
    if pump:
        pair.pump()
    return pair


def run_exec(pair: Pair, command: str) -> tuple[bytes, int | None]:
    pair.client.exec_command(command)
    pair.pump()
    output = b"".join(e.data for e in pair.of(Output))
    statuses = pair.of(ExitStatus)
    return output, statuses[0].status if statuses else None


def wire_lengths(wire: bytes) -> list[int]:
    """The clear-text length fields an eavesdropper sees in a server->client SSH1 stream."""
    lengths, pos = [], 0
    while pos + 4 <= len(wire):
        length = int.from_bytes(wire[pos : pos + 4], "big")
        lengths.append(length)
        pos += 4 + ((length + 8) & ~7)
    return lengths


# ---------------------------------------------------------------------- key exchange and login


def test_public_key_packet_contents(device: Any) -> None:
    pair = connect(device, pump=False)
    pair.client.receive_data(pair.take_server())
    keys = pair.client.events()[0]
    assert isinstance(keys, ServerKeys)
    assert keys.host_key == _en(device.host_keys.rsa_private_key) and keys.server_key == _en(SERVER_KEY)
    expected_ciphers = {"3des": 1 << 3, "blowfish": 1 << 6, "des": 1 << 2}
    assert keys.cipher_mask == sum(expected_ciphers[c] for c in device.profile.ssh.ssh1_ciphers)
    expected_auth = {"password": 1 << 3, "rsa": 1 << 2, "rhosts": 1 << 1, "rhosts-rsa": 1 << 4}
    assert keys.auth_mask == sum(expected_auth[a] for a in device.profile.ssh.ssh1_auth)
    assert keys.md5_fingerprint.startswith("2048 ") and keys.md5_fingerprint.count(":") == 15


@pytest.mark.parametrize("cipher", ["3des", "blowfish", "des"])
def test_password_login_and_exec(device: Any, cipher: str) -> None:
    set_ssh1(device, ciphers=["3des", "blowfish", "des"])
    pair = connect(device, cipher=cipher)
    assert pair.of(Authenticated) == [Authenticated("password")]
    info = pair.server.info()
    assert (info.version, info.cipher, info.state, info.username) == ("1.5", cipher, "Serv-request", "admin")
    assert info.vty >= 0 and len(device.sessions) == 1
    output, status = run_exec(pair, "display version")
    assert VERSION_MARK in output and status == 0
    assert pair.server.closed and pair.client.closed
    assert len(device.sessions) == 0
    assert "cipher=3des" in pair.server.log_summary() or cipher != "3des"
    assert "result=exit status 0" in pair.server.log_summary()


def test_exec_exit_status_of_a_failing_command(device: Any) -> None:
    output, status = run_exec(connect(device), "no-such-command")
    assert status != 0 and b"Unrecognized command" in output


def test_unpadded_password_like_putty_with_ignore_camouflage(device: Any) -> None:
    pair = connect(device, pad_passwords=False, pump=False)
    # PuTTY sends IGNORE packets around its password; they are valid at any time
    pair.pump()
    assert pair.of(Authenticated)


def test_password_nul_padding_is_cut(device: Any) -> None:
    pair = connect(device, password=PASSWORD.encode() + b"\0garbage after the NUL")
    assert pair.of(Authenticated)


def test_rsa_login(device: Any) -> None:
    add_rsa_key(device, "admin", USER_KEY)
    pair = connect(device, password=None, rsa_key=USER_KEY)
    assert pair.of(Authenticated) == [Authenticated("rsa")]
    output, status = run_exec(pair, "display version")
    assert VERSION_MARK in output and status == 0


def test_refused_rsa_key_falls_back_to_password_and_is_not_counted(device: Any) -> None:
    add_rsa_key(device, "admin", USER_KEY)
    pair = connect(device, rsa_key=OTHER_KEY)
    assert pair.of(Authenticated) == [Authenticated("password")]
    assert pair.server.info().retries == 0


def test_rsa_key_of_another_user_is_refused(device: Any) -> None:
    add_rsa_key(device, "admin", USER_KEY)
    pair = connect(device, "operator", password=None, rsa_key=USER_KEY)
    assert pair.of(AuthenticationFailed) and not pair.client.authenticated


def _frame_plain(msg_type: int, payload: bytes) -> bytes:
    body = bytes((msg_type,)) + payload
    length = len(body) + 4
    plain = bytes(8 - length % 8) + body
    return uint32(length) + plain + uint32(ssh1_crc32(plain))


def test_unsupported_cipher_is_refused(device: Any) -> None:
    set_ssh1(device, ciphers=["3des"])
    pair = connect(device, cipher="3des", pump=False)
    msg_type, payload = pair.session_key_packet()
    pair.server.receive_data(_frame_plain(msg_type, bytes((6,)) + payload[1:]))  # blowfish anyway
    assert pair.server.closed and pair.server_types[-1] == Msg.MSG_DISCONNECT
    assert b"Warning: client selects unsupported cipher." in pair.take_server()


def test_client_refuses_cipher_outside_the_mask(device: Any) -> None:
    set_ssh1(device, ciphers=["3des"])
    pair = connect(device, cipher="des")
    assert pair.client.closed and "not supported by server" in pair.of(Disconnected)[0].reason


def test_cookie_mismatch_is_refused(device: Any) -> None:
    pair = connect(device, pump=False)
    msg_type, payload = pair.session_key_packet()
    pair.server.receive_data(_frame_plain(msg_type, payload[:1] + bytes(8) + payload[9:]))
    assert pair.server.closed and b"IP Spoofing check bytes do not match." in pair.take_server()


def test_wrong_session_key_shows_as_crc_failure_only(device: Any) -> None:
    pair = connect(device, pump=False)
    msg_type, payload = pair.session_key_packet()
    garbage = mpint1(int.from_bytes(os.urandom(255), "big"))
    pair.server.receive_data(_frame_plain(msg_type, payload[:9] + garbage + uint32(0)))
    assert not pair.server.closed and pair.server_types[-1] == Msg.SMSG_SUCCESS  # no hint to the client
    pair.client.receive_data(pair.take_server())
    assert pair.client.closed and "Corrupted check bytes" in pair.client.events()[-1].reason


# ---------------------------------------------------------------------- authentication failures


def _transcript(device: Any, username: str, password: str) -> tuple[list[int], list[int], list[str]]:
    pair = connect(device, username, password=password)
    return pair.server_types, wire_lengths(bytes(pair.server_wire)), [type(e).__name__ for e in pair.events]


def _by_hand(device: Any, username: str) -> tuple[list[int], list[int]]:
    """RSA key offered (not authorized), then wrong passwords until the server gives up."""
    pair = connect(device, username, password=None, pump=False)
    pair.to_auth_phase()
    pair.send(Msg.CMSG_AUTH_RSA, mpint1(_en(OTHER_KEY)[1]))
    for attempt in range(10):
        if pair.server.closed:
            break
        pair.send(Msg.CMSG_AUTH_PASSWORD, string(f"bad-{attempt}".encode().ljust(32, b"\0")))
    pair.take_server()
    return pair.server_types, wire_lengths(bytes(pair.server_wire))


def test_missing_user_and_wrong_password_look_the_same_on_the_wire(device: Any) -> None:
    missing = _transcript(device, "nobody", "wrong-password")
    wrong = _transcript(device, "admin", "wrong-password")
    assert missing == wrong
    types, lengths, events = wrong
    assert types == [Msg.SMSG_PUBLIC_KEY, Msg.SMSG_SUCCESS, Msg.SMSG_FAILURE, Msg.SMSG_FAILURE]
    assert events == ["ServerKeys", "AuthenticationFailed", "Disconnected"]
    # a longer exchange: refused RSA key, then passwords up to the retry limit
    missing_long, wrong_long = _by_hand(device, "nobody"), _by_hand(device, "admin")
    assert missing_long == wrong_long
    retries = device.ssh.authentication_retries
    assert missing_long[0][-(retries + 1) :] == [Msg.SMSG_FAILURE] * retries + [Msg.MSG_DISCONNECT]


def test_retries_from_device_configuration(device: Any) -> None:
    device.ssh.authentication_retries = 2
    pair = connect(device, password=None, pump=False)
    pair.to_auth_phase()
    pair.send(Msg.CMSG_AUTH_PASSWORD, string("bad"))
    assert pair.server_types[-1] == Msg.SMSG_FAILURE and pair.server.info().retries == 1
    pair.send(Msg.CMSG_AUTH_PASSWORD, string("bad again"))
    assert pair.server.closed and pair.server_types[-1] == Msg.MSG_DISCONNECT
    assert "too many authentication failures" in pair.server.log_summary()


def test_authentication_timeout(device: Any) -> None:
    now = [100.0]
    pair = connect(device, password=None, clock=lambda: now[0], pump=False)
    pair.to_auth_phase()
    deadline = pair.server.next_deadline()
    assert deadline == pytest.approx(100.0 + device.ssh.authentication_timeout)
    pair.server.on_deadline(deadline - 1)
    assert not pair.server.closed
    pair.server.on_deadline(deadline)
    assert pair.server.closed and pair.server_types[-1] == Msg.MSG_DISCONNECT
    assert pair.server.next_deadline() is None


def test_no_deadline_after_login(device: Any) -> None:
    assert connect(device).server.next_deadline() is None


def test_unknown_auth_methods_get_failure_without_counting(device: Any) -> None:
    pair = connect(device, password=None, rsa_key=None, pump=False)
    pair.to_auth_phase()
    for msg in (Msg.CMSG_AUTH_TIS, 42, Msg.CMSG_REQUEST_PTY, Msg.CMSG_EXEC_SHELL):
        pair.send(msg)
    assert pair.server_types[-4:] == [Msg.SMSG_FAILURE] * 4
    assert pair.server.info().retries == 0 and not pair.server.closed


@pytest.mark.parametrize(
    ("enabled", "port", "accepted"), [(False, 1023, False), (True, 1023, True), (True, 50000, False)]
)
def test_rhosts_only_when_enabled_and_from_a_privileged_port(
    device: Any, enabled: bool, port: int, accepted: bool
) -> None:
    if enabled:
        set_ssh1(device, auth=["password", "rsa", "rhosts"])
    pair = connect(device, password=None, peer=f"127.0.0.1:{port}", pump=False)
    pair.to_auth_phase()
    pair.send(Msg.CMSG_AUTH_RHOSTS, string("admin"))
    assert pair.server_types[-1] == (Msg.SMSG_SUCCESS if accepted else Msg.SMSG_FAILURE)


def test_rhosts_refused_for_a_missing_user_even_when_enabled(device: Any) -> None:
    set_ssh1(device, auth=["password", "rhosts"])
    pair = connect(device, "nobody", password=None, peer="127.0.0.1:1023", pump=False)
    pair.to_auth_phase()
    pair.send(Msg.CMSG_AUTH_RHOSTS, string("nobody"))
    assert pair.server_types[-1] == Msg.SMSG_FAILURE and not pair.server.authenticated


def _rhosts_rsa_packet(key: rsa.RSAPrivateKey, client_user: str = "admin") -> bytes:
    e, n = _en(key)
    return string(client_user) + uint32(n.bit_length()) + mpint1(e) + mpint1(n)


def test_rhosts_rsa_challenge_when_enabled(device: Any) -> None:
    set_ssh1(device, auth=["password", "rhosts-rsa"])
    # RhostsRSA proves the client host: its key must be a `public-key peer` key of the device
    device.peer_keys["client-host"] = PeerKey("client-host", OTHER_KEY.public_key())
    pair = connect(device, password=None, peer="127.0.0.1:1000", pump=False)
    pair.to_auth_phase()
    client = pair.client
    pair.send(Msg.CMSG_AUTH_RHOSTS_RSA, _rhosts_rsa_packet(OTHER_KEY))
    assert pair.server_types[-1] == Msg.SMSG_AUTH_RSA_CHALLENGE
    client._rsa_key, client._method = OTHER_KEY, "rsa"
    pair.pump()
    assert pair.server.authenticated and pair.of(Authenticated)


def test_rhosts_rsa_unknown_host_key_gets_failure_without_challenge(device: Any) -> None:
    set_ssh1(device, auth=["password", "rhosts-rsa"])
    device.peer_keys["client-host"] = PeerKey("client-host", OTHER_KEY.public_key())
    pair = connect(device, password=None, peer="127.0.0.1:1000", pump=False)
    pair.to_auth_phase()
    sent_before = len(pair.server_types)
    pair.send(Msg.CMSG_AUTH_RHOSTS_RSA, _rhosts_rsa_packet(USER_KEY))  # a host key the device does not know
    assert pair.server_types[sent_before:] == [Msg.SMSG_FAILURE]
    assert Msg.SMSG_AUTH_RSA_CHALLENGE not in pair.server_types
    assert not pair.server.authenticated and not pair.server.closed


# ---------------------------------------------------------------------- preparatory and interactive phases


def test_shell_with_pty_tos_and_window_size(device: Any) -> None:
    pair = connect(device)
    assert pair.server.tos == IPTOS_THROUGHPUT
    pair.client.request_pty("xterm", rows=30, cols=100, modes={1: 3, 192: 38400})
    pair.client.exec_shell()
    pair.pump()
    assert pair.of(RequestAnswered) == [RequestAnswered("pty", True)] and pair.of(SessionStarted)
    assert pair.server.tos == IPTOS_LOWDELAY and pair.server.info().state == "Established"
    assert (pair.server._cli.width, pair.server._cli.height) == (100, 30)
    pair.client.window_change(40, 132)
    pair.client.send_stdin(b"screen-length disable\rdisplay version\r")  # no "---- More ----" pager
    pair.client.send_eof()  # with a pty EOF does not end the session
    pair.pump()
    assert not pair.client.closed
    assert (pair.server._cli.width, pair.server._cli.height) == (132, 40)
    pair.client.send_stdin(b"quit\r")
    pair.pump()
    output = b"".join(e.data for e in pair.of(Output))
    assert VERSION_MARK in output and b"display version" in output  # echoed by the server
    assert pair.of(ExitStatus) and pair.server.closed


def test_shell_change_seen_by_a_later_session(device: Any) -> None:
    pair = connect(device)
    pair.client.request_pty()
    pair.client.exec_shell()
    pair.pump()
    pair.client.send_stdin(b"system-view\rsysname SSH1-CORE\rreturn\rquit\r")
    pair.pump()
    assert pair.server.closed
    pair2 = connect(device)
    pair2.client.exec_shell()
    pair2.pump()
    assert b"<SSH1-CORE>" in b"".join(e.data for e in pair2.of(Output))


def test_shell_without_pty_ends_on_eof(device: Any) -> None:
    pair = connect(device)
    pair.client.exec_shell()
    pair.pump()
    pair.client.send_stdin(b"display version\n")
    pair.client.send_eof()
    pair.pump()
    assert pair.of(ExitStatus) and pair.server.closed


def test_compression(device: Any) -> None:
    pair = connect(device)
    pair.client.request_compression(9)
    pair.pump()
    assert pair.of(RequestAnswered) == [RequestAnswered("compression", True)]
    before = len(pair.server_wire)
    output, status = run_exec(pair, "display version")
    assert VERSION_MARK in output and status == 0
    assert "compression=zlib" in pair.server.log_summary()
    assert len(pair.server_wire) - before < len(output) + 40


def test_bad_compression_level_and_forwarding_are_refused(device: Any) -> None:
    pair = connect(device)
    pair.client.request_compression(0)
    pair.client.request_x11_forwarding()
    pair.client.request_port_forwarding(8080, "127.0.0.1", 80)
    pair.client.request_agent_forwarding()
    pair.client.request_max_packet_size(100)
    pair.client.request_max_packet_size(4096)
    pair.pump()
    assert [(a.request, a.accepted) for a in pair.of(RequestAnswered)] == [
        ("compression", False),
        ("x11", False),
        ("port-forward", False),
        ("agent", False),
        ("max-packet-size", False),
        ("max-packet-size", True),
    ]
    output, status = run_exec(pair, "display version")
    assert status == 0


def test_second_pty_request_disconnects(device: Any) -> None:
    pair = connect(device)
    pair.client.request_pty()
    pair.client.request_pty()
    pair.pump()
    assert pair.server.closed and pair.server_types[-1] == Msg.MSG_DISCONNECT


def test_device_side_disconnect_and_registry(device: Any) -> None:
    pair = connect(device)
    assert len(device.sessions) == 1
    device.sessions.terminate_all("reboot")
    pair.pump()
    assert pair.server.closed and len(device.sessions) == 0
    assert pair.of(Disconnected)[0].reason == "reboot"


def test_client_disconnect_and_connection_lost(device: Any) -> None:
    pair = connect(device)
    pair.client.disconnect("bye")
    pair.pump()
    assert pair.server.closed and len(device.sessions) == 0
    pair2 = connect(device)
    pair2.server.connection_lost()
    assert (
        pair2.server.closed and len(device.sessions) == 0 and "connection lost" in pair2.server.log_summary()
    )


# ---------------------------------------------------------------------- server key sharing and rotation


def test_server_key_shared_then_rotated_between_connections(device: Any) -> None:
    now = [0.0]
    device.ssh.rekey_interval_hours = 1
    cache = ServerKeyCache(device, clock=lambda: now[0])
    first = connect(device, server_key=cache).server.server_key
    now[0] = 3599.0
    second = connect(device, server_key=cache)
    assert second.server.server_key is first and second.of(Authenticated)
    now[0] = 3600.0
    third = connect(device, server_key=cache)
    assert third.server.server_key is not first and third.of(Authenticated)
    assert cache.generations == 2


def test_default_server_key_comes_from_the_device_cache(device: Any) -> None:
    a = connect(device, server_key=None)
    b = connect(device, server_key=None)
    assert a.server.server_key is b.server.server_key and a.of(Authenticated)
    assert abs(a.server.server_key.key_size - device.host_keys.rsa_private_key.key_size) >= 128


# ---------------------------------------------------------------------- hostile input


def _assert_clean_disconnect(server: Ssh1ServerCore, reader: PacketReader) -> None:
    """Everything the server sent decodes, and if it closed, the last packet is a DISCONNECT."""
    reader.feed(server.data_to_send())
    types = []
    while (packet := reader.next_packet()) is not None:
        types.append(packet[0])
        if packet[0] == Msg.MSG_DISCONNECT:
            Reader(packet[1]).string()
    if server.closed:
        assert types and types[-1] == Msg.MSG_DISCONNECT


def test_bad_crc_after_encryption_disconnects(device: Any) -> None:
    pair = connect(device, password=None, pump=False)
    pair.to_auth_phase()
    wire = bytearray(pair.client._writer.encode(Msg.CMSG_AUTH_PASSWORD, string(PASSWORD)))
    wire[-1] ^= 0x01
    pair.server.receive_data(bytes(wire))
    assert pair.server.closed and pair.server_types[-1] == Msg.MSG_DISCONNECT
    pair.client.receive_data(pair.take_server())
    assert "Corrupted check bytes on input." in pair.client.events()[-1].reason


@pytest.mark.parametrize("length", [0, 4, 262145, 0x7FFFFFFF])
def test_bad_length_disconnects(device: Any, length: int) -> None:
    pair = connect(device, pump=False)
    reader = PacketReader()
    pair.server.receive_data(uint32(length) + bytes(16))
    assert pair.server.closed
    _assert_clean_disconnect(pair.server, reader)
    assert pair.server_types == [Msg.SMSG_PUBLIC_KEY, Msg.MSG_DISCONNECT]
    assert "Bad packet length" in pair.server.log_summary()


def _fresh_server(device: Any) -> Ssh1ServerCore:
    ident = IdentificationReader()
    version = ident.feed(b"SSH-1.5-fuzz\n")
    assert version is not None
    return Ssh1ServerCore(device, version, SERVER_LINE, "127.0.0.1:1", server_key=SERVER_KEY)


@pytest.fixture(scope="module")
def fuzz_device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    device = ssh1_device(tmp_path_factory.mktemp("ssh1-fuzz") / "state", tmp_path_factory.getbasetemp() / "ssh1-shared-host-keys")
    set_ssh1(device, ciphers=["3des", "blowfish", "des"])
    yield device


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.binary(max_size=300), max_size=6))
def test_random_bytes_after_version_line_only_disconnect(fuzz_device: Any, chunks: list[bytes]) -> None:
    server = _fresh_server(fuzz_device)
    reader = PacketReader()
    for chunk in chunks:
        server.receive_data(chunk)  # must never raise
    _assert_clean_disconnect(server, reader)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    packets=st.lists(
        st.tuples(st.integers(min_value=1, max_value=254), st.binary(max_size=64)),
        min_size=1,
        max_size=8,
    ),
    after_login=st.booleans(),
)
def test_random_valid_packets_in_any_phase_only_disconnect(
    fuzz_device: Any, packets: list[tuple[int, bytes]], after_login: bool
) -> None:
    pair = connect(fuzz_device, pump=after_login)
    if not after_login:
        pair.to_auth_phase()
    for msg_type, payload in packets:
        if pair.server.closed:
            break
        pair.send(msg_type, payload)  # must never raise
    pair.server.data_to_send()
    if pair.server.closed and pair.server_types[-1] != Msg.MSG_DISCONNECT:
        # a clean end: EXIT_CONFIRMATION after EXITSTATUS, or the client's own DISCONNECT
        assert pair.server_types[-1] == Msg.SMSG_EXITSTATUS or any(
            t == Msg.MSG_DISCONNECT for t, _ in packets
        )


def test_random_session_key_packets_never_raise(device: Any) -> None:
    for _ in range(20):
        pair = connect(device, pump=False)
        payload = bytes((3,)) + os.urandom(8) + mpint1(int.from_bytes(os.urandom(300), "big")) + uint32(0)
        pair.send(Msg.CMSG_SESSION_KEY, payload)
        assert pair.server.closed and pair.server_types[-1] == Msg.MSG_DISCONNECT  # cookie mismatch
        pair = connect(device, pump=False)
        msg_type, good = pair.session_key_packet()
        pair.server.receive_data(_frame_plain(msg_type, good[:9] + os.urandom(40)))
        assert pair.server.closed or pair.server_types[-1] == Msg.SMSG_SUCCESS
