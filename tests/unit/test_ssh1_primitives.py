"""SSH1 building blocks without any connection: CRC, ciphers, framing, compression, keys."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import Blowfish, TripleDES
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from agent.errors import ProtocolError
from agent.ssh1 import deattack
from agent.ssh1.ciphers import CIPHERS, CIPHERS_BY_NUMBER, swap32
from agent.ssh1.crc import ssh1_crc32
from agent.ssh1.keyfile import (
    KeyFileError,
    dump_private_key,
    load_private_key,
    parse_public_key_line,
    public_key_line,
)
from agent.ssh1.messages import Msg
from agent.ssh1.packet import MAX_LENGTH, PacketReader, PacketWriter
from agent.ssh1.server_key import ServerKeyCache, server_key_bits
from agent.ssh1.session_key import (
    challenge_response,
    decrypt_challenge,
    encrypt_challenge,
    session_id,
    unwrap_session_key,
    wrap_session_key,
)
from agent.ssh1.ttymodes import encode_tty_modes, parse_tty_modes
from agent.wire import string, uint32

LEGACY_CNF = Path(__file__).resolve().parents[1] / "fixtures" / "openssl-legacy.cnf"  # DES/Blowfish for ssh1


def _crc_table_reference(data: bytes) -> int:
    """OpenSSH crc32.c: reflected table, initial 0, no final XOR (written out for comparison)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc


# ---------------------------------------------------------------------- CRC


def test_crc_known_answer() -> None:
    assert ssh1_crc32(b"123456789") == 0x2DFD2D88
    assert ssh1_crc32(b"") == 0
    assert ssh1_crc32(b"123456789") != zlib.crc32(b"123456789")


@pytest.mark.parametrize("size", [1, 7, 8, 31, 1000])
def test_crc_matches_table_implementation(size: int) -> None:
    data = os.urandom(size)
    assert ssh1_crc32(data) == _crc_table_reference(data)


def test_crc_continues_from_previous_value() -> None:
    assert ssh1_crc32(b"6789", ssh1_crc32(b"12345")) == ssh1_crc32(b"123456789")


# ---------------------------------------------------------------------- ciphers

KEY = bytes(range(32))


def _des_cbc(key8: bytes, data: bytes, encrypt: bool, iv: bytes = bytes(8)) -> bytes:
    cipher = Cipher(TripleDES(key8 * 3), modes.CBC(iv))
    ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    return ctx.update(data) + ctx.finalize()


@pytest.mark.parametrize("name", ["3des", "blowfish", "des", "none"])
def test_cipher_round_trip_with_state_chained_across_packets(name: str) -> None:
    spec = CIPHERS[name]
    enc, dec = spec.encryptor(KEY), spec.decryptor(KEY)
    packets = [os.urandom(8 * n) for n in (1, 3, 16, 2)]
    ciphertexts = [enc.update(p) for p in packets]
    assert [dec.update(c) for c in ciphertexts] == packets
    # the chain is continuous: one long buffer gives the same ciphertext
    assert b"".join(ciphertexts) == spec.encryptor(KEY).update(b"".join(packets))
    if name != "none":
        assert ciphertexts[0] != packets[0]


def test_registry_numbers() -> None:
    assert {n: s.name for n, s in CIPHERS_BY_NUMBER.items()} == {
        0: "none",
        2: "des",
        3: "3des",
        6: "blowfish",
    }


def test_3des_is_inner_cbc_not_outer_cbc() -> None:
    data = bytes(range(48))
    k1, k2, k3 = KEY[0:8], KEY[8:16], KEY[16:24]
    # three independent DES-CBC passes, each with its own zero IV
    expected = _des_cbc(k3, _des_cbc(k2, _des_cbc(k1, data, True), False), True)
    assert CIPHERS["3des"].encryptor(KEY).update(data) == expected
    outer = Cipher(TripleDES(k1 + k2 + k3), modes.CBC(bytes(8))).encryptor().update(data)
    assert expected[:8] == outer[:8]  # first block agrees (EDE of one block) ...
    assert expected[8:] != outer[8:]  # ... but the chaining differs: not 3des-cbc


def test_3des_single_block_is_ede_known_answer() -> None:
    # one block with zero IV in every stage is plain EDE: E_k3(D_k2(E_k1(x)))
    block = b"\x01\x23\x45\x67\x89\xab\xcd\xef"
    k1, k2, k3 = KEY[0:8], KEY[8:16], KEY[16:24]
    ede = Cipher(TripleDES(k1 + k2 + k3), modes.ECB()).encryptor().update(block)
    assert CIPHERS["3des"].encryptor(KEY).update(block) == ede


def test_des_known_answer() -> None:
    # FIPS 81 / classic DES test vector: key 0123456789ABCDEF, "Now is t" -> 3FA40E8A984D4815
    key = bytes.fromhex("0123456789abcdef")
    spec = CIPHERS["des"]
    assert spec.encryptor(key + bytes(24)).update(b"Now is t") == bytes.fromhex("3fa40e8a984d4815")


def test_blowfish_is_byte_swapped_cbc() -> None:
    data = bytes(range(32))
    plain_bf = Cipher(Blowfish(KEY), modes.CBC(bytes(8))).encryptor().update(swap32(data))
    assert CIPHERS["blowfish"].encryptor(KEY).update(data) == swap32(plain_bf)
    assert swap32(b"\x01\x02\x03\x04\x05\x06\x07\x08") == b"\x04\x03\x02\x01\x08\x07\x06\x05"


# ---------------------------------------------------------------------- packets


def _frame(msg_type: int, payload: bytes, *, pad: bytes | None = None, crc: int | None = None) -> bytes:
    body = bytes((msg_type,)) + payload
    length = len(body) + 4
    padding = pad if pad is not None else bytes(8 - length % 8)
    plain = padding + body
    return uint32(length) + plain + uint32(ssh1_crc32(plain) if crc is None else crc)


def test_packet_layout_without_cipher() -> None:
    wire = PacketWriter().encode(Msg.CMSG_USER, string("admin"))
    assert wire == _frame(Msg.CMSG_USER, string("admin"))
    # length 1 + 9 + 4 = 14 -> 2 bytes padding; 4 + 16 on the wire
    assert wire[:4] == uint32(14) and len(wire) == 20


@pytest.mark.parametrize("size", range(0, 17))
def test_padding_is_one_to_eight_bytes(size: int) -> None:
    wire = PacketWriter().encode(Msg.MSG_IGNORE, bytes(size))
    length = int.from_bytes(wire[:4], "big")
    pad = len(wire) - 4 - length
    assert 1 <= pad <= 8 and (len(wire) - 4) % 8 == 0


@pytest.mark.parametrize("name", ["3des", "blowfish", "des"])
def test_packet_round_trip_encrypted_and_compressed(name: str) -> None:
    writer, reader = PacketWriter(), PacketReader()
    writer.set_cipher(CIPHERS[name].encryptor(KEY))
    reader.set_cipher(CIPHERS[name].decryptor(KEY))
    messages = [(Msg.SMSG_STDOUT_DATA, string(os.urandom(n))) for n in (0, 1, 100, 5000)]
    wire = b"".join(writer.encode(t, p) for t, p in messages[:2])
    writer.start_compression(6)
    reader_compressed_from = len(messages[:2])
    compressed = [writer.encode(t, p) for t, p in messages[2:]]
    reader.feed(wire)
    got = [reader.next_packet(), reader.next_packet()]
    assert reader.next_packet() is None
    reader.start_compression()
    for chunk in compressed:  # byte by byte for the first packet: partial input is buffered
        for i in range(len(chunk)):
            reader.feed(chunk[i : i + 1])
            if i < len(chunk) - 1:
                assert reader.next_packet() is None
        got.append(reader.next_packet())
    assert got == messages and reader_compressed_from == 2


def test_compressed_text_is_smaller() -> None:
    writer = PacketWriter()
    writer.start_compression(9)
    assert len(writer.encode(Msg.SMSG_STDOUT_DATA, string(b"display version\r\n" * 200))) < 200


def test_bad_crc_is_refused() -> None:
    reader = PacketReader()
    reader.feed(_frame(Msg.CMSG_USER, string("admin"), crc=0x12345678))
    with pytest.raises(ProtocolError, match="Corrupted check bytes"):
        reader.next_packet()


@pytest.mark.parametrize("length", [0, 4, MAX_LENGTH + 1, 0xFFFFFFFF])
def test_bad_length_is_refused_before_reading_the_body(length: int) -> None:
    reader = PacketReader()
    reader.feed(uint32(length))
    with pytest.raises(ProtocolError, match="Bad packet length"):
        reader.next_packet()


def test_type_zero_is_refused() -> None:
    reader = PacketReader()
    reader.feed(_frame(0, b""))
    with pytest.raises(ProtocolError):
        reader.next_packet()


def test_largest_packet_is_accepted() -> None:
    writer, reader = PacketWriter(), PacketReader()
    payload = bytes(MAX_LENGTH - 5)
    reader.feed(writer.encode(Msg.MSG_IGNORE, payload))
    assert reader.next_packet() == (Msg.MSG_IGNORE, payload)
    with pytest.raises(ValueError):
        writer.encode(Msg.MSG_IGNORE, payload + b"x")


def test_decompression_bomb_is_refused() -> None:
    bomb = zlib.compressobj(9)
    body = bomb.compress(bytes((Msg.MSG_IGNORE,)) + bytes(600_000)) + bomb.flush(zlib.Z_PARTIAL_FLUSH)
    reader = PacketReader()
    reader.start_compression()
    length = len(body) + 4
    padding = bytes(8 - length % 8)
    plain = padding + body
    reader.feed(uint32(length) + plain + uint32(ssh1_crc32(plain)))
    with pytest.raises(ProtocolError, match="inflates too far"):
        reader.next_packet()


# ---------------------------------------------------------------------- deattack


def test_deattack_accepts_random_ciphertext() -> None:
    for blocks in (1, 7, 8, 100, 4096):
        deattack.check_ciphertext(os.urandom(8 * blocks))


def _pattern_crc(bits: list[int]) -> int:
    """deattack.c check_crc written out: crc_update(1 or 0) then crc_update(0) per block."""
    crc = 0
    for bit in bits:
        crc = ssh1_crc32(struct.pack("<I", bit ^ crc))
        crc = ssh1_crc32(struct.pack("<I", crc))
    return crc


def _zero_crc_positions(n: int) -> list[int]:
    """Positions whose 0/1 pattern has CRC 0 (the CRC is linear, so Gaussian elimination finds one)."""
    basis: dict[int, tuple[int, set[int]]] = {}  # leading bit -> (vector, positions)
    for i in range(n):
        vector, used = _pattern_crc([int(j == i) for j in range(n)]), {i}
        while vector:
            top = vector.bit_length() - 1
            if top not in basis:
                basis[top] = (vector, used)
                break
            vector ^= basis[top][0]
            used = used ^ basis[top][1]
        else:
            return sorted(used)
    raise AssertionError("no dependency found")


def test_deattack_detects_compensation_pattern() -> None:
    n = 40
    positions = _zero_crc_positions(n)
    assert len(positions) >= 2 and _pattern_crc([int(j in positions) for j in range(n)]) == 0
    block = os.urandom(8)
    blocks = [block if j in positions else os.urandom(8) for j in range(n)]
    with pytest.raises(ProtocolError, match="compensation attack"):
        deattack.check_ciphertext(b"".join(blocks))
    # the same repeats at positions whose pattern does not cancel are tolerated
    harmless = [block if j in (0, 1) else os.urandom(8) for j in range(n)]
    deattack.check_ciphertext(b"".join(harmless))


def test_deattack_denial_of_service_limit() -> None:
    blocks = [os.urandom(8) for _ in range(10)]
    buf = b"".join(blocks) + blocks[0] * 40
    with pytest.raises(ProtocolError):
        deattack.check_ciphertext(buf)


def test_deattack_size_rules() -> None:
    with pytest.raises(ProtocolError):
        deattack.check_ciphertext(bytes(12))
    with pytest.raises(ProtocolError):
        deattack.check_ciphertext(os.urandom(8) * 0 + bytes(8 * (deattack.MAX_BLOCKS + 1)))


# ---------------------------------------------------------------------- session key

HOST_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SERVER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)


def _en(key: rsa.RSAPrivateKey) -> tuple[int, int]:
    numbers = key.public_key().public_numbers()
    return numbers.e, numbers.n


def test_session_id_is_md5_of_host_then_server_modulus_then_cookie() -> None:
    cookie = bytes(range(8))
    host_n, server_n = _en(HOST_KEY)[1], _en(SERVER_KEY)[1]
    expected = hashlib.md5(host_n.to_bytes(256, "big") + server_n.to_bytes(128, "big") + cookie).digest()
    assert session_id(host_n, server_n, cookie) == expected
    assert session_id(server_n, host_n, cookie) != expected


@pytest.mark.parametrize("first_byte_zero", [False, True])
def test_session_key_double_rsa_round_trip(first_byte_zero: bool) -> None:
    sid = session_id(_en(HOST_KEY)[1], _en(SERVER_KEY)[1], os.urandom(8))
    key = os.urandom(32)
    if first_byte_zero:  # the XORed integer loses leading zero bytes on the wire
        key = bytes((sid[0],)) + key[1:]
    encrypted = wrap_session_key(key, sid, _en(SERVER_KEY), _en(HOST_KEY))
    assert unwrap_session_key(encrypted, SERVER_KEY, HOST_KEY, sid) == key


def test_session_key_garbage_gives_a_key_not_an_exception() -> None:
    sid = os.urandom(16)
    for value in (0, 1, 1 << 4000, _en(HOST_KEY)[1] + 5):
        assert len(unwrap_session_key(value, SERVER_KEY, HOST_KEY, sid)) == 32


def test_rsa_challenge_response() -> None:
    user_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    challenge = b"\0\0" + os.urandom(30)
    encrypted = encrypt_challenge(challenge, *_en(user_key))
    assert decrypt_challenge(encrypted, user_key) == challenge
    sid = os.urandom(16)
    assert challenge_response(challenge, sid) == hashlib.md5(challenge + sid).digest()


# ---------------------------------------------------------------------- tty modes


def test_tty_modes() -> None:
    encoded = encode_tty_modes({1: 3, 53: 1, 192: 38400, 193: 9600, 128: 7})
    assert parse_tty_modes(encoded) == {1: 3, 53: 1, 192: 38400, 193: 9600, 128: 7}
    assert parse_tty_modes(b"\x00") == {}
    assert parse_tty_modes(b"\x01\x03\xa0\x01\x02") == {1: 3}  # unknown 160 stops parsing
    with pytest.raises(ProtocolError):
        parse_tty_modes(b"\x80\x00")  # truncated uint32


# ---------------------------------------------------------------------- server key cache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_server_key_bits_respect_the_reserved_gap() -> None:
    assert server_key_bits(1024, 2048) == 1024
    assert server_key_bits(768, 2048) == 1024  # cryptography cannot generate below 1024
    assert server_key_bits(1024, 1024) == 1152
    assert server_key_bits(2048, 2000) == 2128


def test_server_key_is_reused_then_rotated_on_its_interval() -> None:
    clock = FakeClock()
    interval = {"hours": 1}
    cache = ServerKeyCache(bits=1024, interval_hours=lambda: interval["hours"], clock=clock)
    first = cache.current(2048)
    clock.now += 3599
    assert cache.current(2048) is first
    assert cache.expires_at() == pytest.approx(1000.0 + 3600)
    clock.now += 1
    second = cache.current(2048)
    assert second is not first and cache.generations == 2
    interval["hours"] = 0  # `ssh server rekey-interval 0`: never again
    clock.now += 10 * 3600
    assert cache.current(2048) is second and cache.expires_at() is None


def test_server_key_regenerated_when_host_key_gets_too_close() -> None:
    cache = ServerKeyCache(bits=1024, interval_hours=0, clock=FakeClock())
    key = cache.current(2048)
    assert key.key_size == 1024
    bigger = cache.current(1024)  # host key replaced by a 1024-bit one
    assert bigger.key_size == 1152


def test_server_key_cache_per_device() -> None:
    class Dev:
        class profile:  # noqa: N801
            class ssh:  # noqa: N801
                ssh1_server_key_bits = 1024

        class ssh:  # noqa: N801
            rekey_interval_hours = 0

    a, b = Dev(), Dev()
    assert ServerKeyCache.for_device(a) is ServerKeyCache.for_device(a)
    assert ServerKeyCache.for_device(a) is not ServerKeyCache.for_device(b)


def test_server_key_cache_reads_the_device_settings_live() -> None:
    clock = FakeClock()
    device = SimpleNamespace(
        profile=SimpleNamespace(ssh=SimpleNamespace(ssh1_server_key_bits=1024)),
        ssh=SimpleNamespace(rekey_interval_hours=0),
    )
    cache = ServerKeyCache(device, clock=clock)  # what the connection driver does
    first = cache.current(2048)
    clock.now += 7200
    assert cache.current(2048) is first
    device.ssh.rekey_interval_hours = 1  # `ssh server rekey-interval 1`
    assert cache.current(2048) is not first and cache.generations == 2


# ---------------------------------------------------------------------- key files


def test_key_file_round_trip_plain_and_encrypted() -> None:
    key = SERVER_KEY
    for passphrase in (None, "secret words"):
        data = dump_private_key(key, "me@lab", passphrase)
        loaded, comment = load_private_key(data, passphrase)
        assert comment == "me@lab" and loaded.private_numbers() == key.private_numbers()
    with pytest.raises(KeyFileError, match="passphrase"):
        load_private_key(dump_private_key(key, "", "right"), "wrong")
    with pytest.raises(KeyFileError):
        load_private_key(b"-----BEGIN OPENSSH PRIVATE KEY-----")


def test_public_key_line() -> None:
    e, n = _en(SERVER_KEY)
    line = public_key_line(e, n, "me@lab")
    assert line.startswith("1024 65537 ") and parse_public_key_line(line) == (e, n, "me@lab")
    with pytest.raises(KeyFileError):
        parse_public_key_line("ssh-rsa AAAA")


@pytest.mark.skipif(
    shutil.which("ssh-keygen1") is None, reason="ssh-keygen1 (openssh-client-ssh1) not installed"
)
@pytest.mark.parametrize("passphrase", ["", "pass phrase"])
def test_loads_ssh_keygen1_files(tmp_path: Path, passphrase: str) -> None:
    env = dict(os.environ, OPENSSL_CONF=str(LEGACY_CNF))
    path = tmp_path / "id_rsa1"
    subprocess.run(
        ["ssh-keygen1", "-q", "-t", "rsa1", "-b", "1024", "-N", passphrase, "-C", "c", "-f", str(path)],
        check=True,
        env=env,
    )
    key, comment = load_private_key(path.read_bytes(), passphrase or None)
    e, n, _ = parse_public_key_line(path.with_suffix(".pub").read_text())
    assert comment == "c" and _en(key) == (e, n)
    # and ssh-keygen1 reads what we write
    ours = tmp_path / "ours"
    ours.write_bytes(dump_private_key(key, "ours", passphrase or None))
    ours.chmod(0o600)
    out = subprocess.run(
        ["ssh-keygen1", "-y", "-P", passphrase, "-f", str(ours)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    assert out.split()[:3] == [str(n.bit_length()), str(e), str(n)]
