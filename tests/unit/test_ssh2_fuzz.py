"""Random and mutated bytes into the SSH-2 server core: only ever a protocol-error disconnect.

Each case feeds bytes to a fresh server engine, in one chunk and byte by byte. The engine
must never raise (any exception other than the internal ProtocolError would escape
``receive_data`` and fail the test) and must say why it disconnected when it does.
Afterwards a good client still logs in to the same device.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import DisconnectReason
from agent.identification import parse_version_line
from agent.ssh2.client import CLIENT_VERSION, ClientOptions
from agent.ssh2.server import Ssh2ServerCore
from tests.helpers import PASSWORD, USER
from tests.ssh2_pair import SERVER_LINE, make_pair, pump

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _server(device) -> Ssh2ServerCore:  # type: ignore[no-untyped-def]
    return Ssh2ServerCore(device, parse_version_line(CLIENT_VERSION.encode()), SERVER_LINE, "fuzz:1")


def _feed_all(device, data: bytes) -> None:  # type: ignore[no-untyped-def]
    whole = _server(device)
    whole.receive_data(data)
    whole.data_to_send()
    bytewise = _server(device)
    for i in range(len(data)):
        bytewise.receive_data(data[i : i + 1])
    bytewise.data_to_send()
    for engine in (whole, bytewise):
        if engine.closed:
            assert engine.disconnect_reason
    assert whole.closed == bytewise.closed


def _recorded_client_stream(device) -> list[bytes]:  # type: ignore[no-untyped-def]
    """What a real login sends, chunk by chunk (kexinit, kex init, newkeys, auth, channel...)."""
    client, server = make_pair(device, ClientOptions(username=USER, password=PASSWORD, command="display version"))
    chunks = []
    for _ in range(50):
        to_server = client.data_to_send()
        to_client = server.data_to_send()
        if not to_server and not to_client:
            break
        if to_server:
            chunks.append(to_server)
            server.receive_data(to_server)
        if to_client:
            client.receive_data(to_client)
    assert client.exit_status == 0
    server.connection_lost()  # frees its VTY line: the device has 16, and every example logs in
    return chunks


@_SETTINGS
@given(data=st.binary(max_size=2048))
def test_random_bytes(shared_device, data: bytes) -> None:  # type: ignore[no-untyped-def]
    _feed_all(shared_device, data)


@_SETTINGS
@given(
    payload=st.binary(min_size=1, max_size=600),
    length_delta=st.integers(-8, 8),
    pad=st.integers(0, 255),
)
def test_plausible_first_packets(shared_device, payload: bytes, length_delta: int, pad: int) -> None:  # type: ignore[no-untyped-def]
    """Cleartext packets with plausible framing but bad lengths, padding and contents."""
    body = bytes([pad % 256]) + payload + bytes(pad % 32)
    length = max(0, len(body) + length_delta)
    _feed_all(shared_device, length.to_bytes(4, "big") + body)


@_SETTINGS
@given(data=st.data())
def test_mutated_real_sessions(shared_device, data) -> None:  # type: ignore[no-untyped-def]
    stream = bytearray(b"".join(_recorded_client_stream(shared_device)))
    mutations = data.draw(st.lists(st.tuples(st.integers(0, len(stream) - 1), st.integers(0, 255)), min_size=1, max_size=6))
    for position, value in mutations:
        stream[position] = value
    cut = data.draw(st.integers(0, len(stream)))
    server = _server(shared_device)
    server.receive_data(bytes(stream[:cut]))
    server.receive_data(bytes(stream[cut:]))
    server.data_to_send()
    if server.closed:
        assert server.disconnect_reason


def test_bad_length_has_protocol_error_reason(shared_device) -> None:  # type: ignore[no-untyped-def]
    server = _server(shared_device)
    server.data_to_send()
    server.receive_data(b"\xff\xff\xff\xff" + bytes(16))
    out = server.data_to_send()
    assert server.closed and "Bad packet length" in (server.disconnect_reason or "")
    # DISCONNECT (1) with reason PROTOCOL_ERROR (2) in clear text, since no keys exist yet.
    assert out[5] == 1 and int.from_bytes(out[6:10], "big") == DisconnectReason.PROTOCOL_ERROR


def test_good_client_after_fuzzing(shared_device) -> None:  # type: ignore[no-untyped-def]
    for junk in (b"\x00" * 100, b"\x00\x00\x01\x00" + bytes(300), bytes(range(256))):
        _feed_all(shared_device, junk)
    client, server = make_pair(shared_device, ClientOptions(username=USER, password=PASSWORD, command="display version"))
    pump(client, server)
    assert client.exit_status == 0 and b"Comware" in client.output


@_SETTINGS
@given(
    messages=st.lists(
        st.tuples(st.integers(1, 127), st.binary(max_size=200)),
        min_size=1,
        max_size=6,
    ),
    authenticated=st.booleans(),
)
def test_random_messages_inside_encrypted_session(shared_device, messages, authenticated: bool) -> None:  # type: ignore[no-untyped-def]
    """Well-framed, correctly encrypted but random messages reach every stage's parser."""
    options = ClientOptions(username=USER, password=PASSWORD if authenticated else None, command=None)
    client, server = make_pair(shared_device, options)
    for _ in range(6 if not authenticated else 50):  # without a password: stop right after the kex
        to_server, to_client = client.data_to_send(), server.data_to_send()
        if not to_server and not to_client:
            break
        server.receive_data(to_server)
        client.receive_data(to_client)
        if not authenticated and client.kex_count:
            break
    for msg_type, body in messages:
        client.send_payload(bytes([msg_type]) + body)
        pump(client, server)
    if server.closed:
        assert server.disconnect_reason
