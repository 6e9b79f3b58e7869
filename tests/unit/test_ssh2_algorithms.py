"""Known-answer and cross-implementation tests for every SSH-2 cipher, MAC and kex method.

Published vectors (NIST SP 800-38A/GCM, RFC 4231/2202, RFC 7748) pin the primitives as we
use them; asyncssh's packet encryption is an independent implementation of the SSH packet
constructions (E&M, ETM, GCM, chacha20-poly1305@openssh.com) and checks our framing.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from asyncssh.encryption import get_encryption
from cryptography.hazmat.primitives.asymmetric import x25519

from agent.errors import ProtocolError
from agent.ssh2.algorithms import CIPHERS, KEX_METHODS, MACS, kex
from agent.ssh2.algorithms.hostkey import host_key_from_private
from agent.ssh2.algorithms.kex import KexClient, KexInputs, KexServer
from agent.ssh2.packet import PacketReader, PacketWriter
from agent.wire import Reader, mpint, mpint_from_unsigned, string

PT = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
CTR_IV = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
CBC_IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
K128 = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
K192 = bytes.fromhex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b")
K256 = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")


@pytest.mark.parametrize(
    ("name", "key", "iv", "expected"),
    [
        ("aes128-ctr", K128, CTR_IV, "874d6191b620e3261bef6864990db6ce"),  # SP 800-38A F.5.1
        ("aes192-ctr", K192, CTR_IV, "1abc932417521ca24f2b0459fe7e6e0b"),  # F.5.3
        ("aes256-ctr", K256, CTR_IV, "601ec313775789a5b7a7f504bbf3d228"),  # F.5.5
        ("aes128-cbc", K128, CBC_IV, "7649abac8119b246cee98e9b12e9197d"),  # F.2.1
        ("aes192-cbc", K192, CBC_IV, "4f021db243bc633d7178183a9fa071e8"),  # F.2.3
        ("aes256-cbc", K256, CBC_IV, "f58c4c04d6e5f1ba779eabfb5f7bfbd6"),  # F.2.5
    ],
)
def test_block_cipher_vectors(name: str, key: bytes, iv: bytes, expected: str) -> None:
    spec = CIPHERS[name]
    assert spec.new(key, iv, encrypt=True).update(PT).hex() == expected  # type: ignore[union-attr]
    assert spec.new(key, iv, encrypt=False).update(bytes.fromhex(expected)) == PT  # type: ignore[union-attr]


def test_3des_cbc_vector() -> None:
    # NIST SP 800-67 / SP 800-20 style: TDEA with three equal keys degenerates to DES;
    # FIPS 81 B.1 DES-CBC: key 0123456789abcdef, IV 1234567890abcdef, "Now is t" -> e5c7cdde872bf27c
    key = bytes.fromhex("0123456789abcdef") * 3
    cipher = CIPHERS["3des-cbc"].new(key, bytes.fromhex("1234567890abcdef"), encrypt=True)
    assert cipher.update(b"Now is t").hex() == "e5c7cdde872bf27c"  # type: ignore[union-attr]


def test_gcm_vector() -> None:
    # GCM spec test case 2: K = 0^128, IV = 0^96, P = 0^128
    cipher = CIPHERS["aes128-gcm@openssh.com"].new(bytes(16), bytes(12), encrypt=True)
    out = cipher.seal(b"", bytes(16))  # type: ignore[union-attr]
    assert out.hex() == "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf"


@pytest.mark.parametrize(
    ("name", "expected"),
    [  # RFC 4231 test case 2 (sha2), RFC 2202 test case 2 (sha1, md5): key "Jefe"
        ("hmac-sha2-256", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (
            "hmac-sha2-512",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
            "caeab1a34d4a6b4b636e070a38bce737",
        ),
        ("hmac-sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        ("hmac-sha1-96", "effcdf6ae5eb2fa2d27416d5"),
        ("hmac-md5", "750c783e6ab0b503eaa86e310a5db738"),
        ("hmac-md5-96", "750c783e6ab0b503eaa86e31"),
    ],
)
def test_mac_vectors(name: str, expected: str) -> None:
    # The MAC input is uint32(seq) || data: "what do ya want..." = seq b"what" + the rest.
    for variant in (name, f"{name}-etm@openssh.com"):
        mac = MACS[variant].new(b"Jefe")
        seq = int.from_bytes(b"what", "big")
        assert mac.compute(seq, b" do ya want for nothing?").hex() == expected


PAIRS = [
    ("chacha20-poly1305@openssh.com", None),
    ("aes128-gcm@openssh.com", None),
    ("aes256-gcm@openssh.com", None),
    *[(c, m) for c in ("aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes256-cbc", "3des-cbc") for m in MACS],
]


@pytest.mark.parametrize(("cipher", "mac"), PAIRS)
def test_packets_match_asyncssh(cipher: str, mac: str | None) -> None:
    """Our writer's packets decrypt with asyncssh, and asyncssh's packets decode with our reader."""
    spec = CIPHERS[cipher]
    mac_spec = MACS[mac] if mac else None
    key, iv = os.urandom(spec.key_size), os.urandom(max(spec.iv_size, 1))[: spec.iv_size]
    mac_key = os.urandom(mac_spec.key_size) if mac_spec else b""
    mac_name = mac.encode() if mac else b""
    etm = bool(mac_spec and mac_spec.etm)
    theirs_in = get_encryption(cipher.encode(), key, iv, mac_name, mac_key, etm)
    writer = PacketWriter()
    writer.set_keys(spec, key, iv, mac_spec, mac_key)
    for seq, payload in enumerate([b"\x05hello", os.urandom(300), b"\x5e" + bytes(1000)]):
        wire = writer.pack(payload)
        header_len = 4 if (etm or spec.has_integrity) else 4
        tag = spec.tag_size if spec.has_integrity else (mac_spec.size if mac_spec else 0)
        block = max(8, spec.block_size)
        first, hdr = theirs_in.decrypt_header(seq, wire[:block] if not (etm or spec.mode == "gcm") else wire[:4], header_len)
        length = int.from_bytes(hdr, "big")
        first_len = len(first)
        rest = wire[first_len : 4 + length]
        packet = theirs_in.decrypt_packet(seq, first, rest, header_len, wire[4 + length : 4 + length + tag])
        assert packet is not None
        pad = packet[0]
        assert packet[1 : len(packet) - pad] == payload

    theirs_out = get_encryption(cipher.encode(), key, iv, mac_name, mac_key, etm)
    reader = PacketReader()
    reader.set_keys(spec, key, iv, mac_spec, mac_key)
    for seq, payload in enumerate([b"\x05x", os.urandom(77), b"\x5e" + bytes(4000)]):
        block = max(8, spec.block_size)
        aligned = 1 + len(payload) + (0 if (etm or spec.has_integrity) else 4)
        pad = block - aligned % block
        pad += block if pad < 4 else 0
        body = bytes([pad]) + payload + os.urandom(pad)
        header = (len(body)).to_bytes(4, "big")
        data, tag = theirs_out.encrypt_packet(seq, header, body)
        reader.feed(data + tag)
        assert reader.next_payload() == payload


@pytest.mark.parametrize("cipher", ["aes128-ctr", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"])
def test_tampered_packet_is_a_mac_error(cipher: str) -> None:
    spec = CIPHERS[cipher]
    mac = None if spec.has_integrity else MACS["hmac-sha2-256"]
    key, iv, mac_key = os.urandom(spec.key_size), os.urandom(spec.iv_size), os.urandom(32)
    writer, reader = PacketWriter(), PacketReader()
    writer.set_keys(spec, key, iv, mac, mac_key)
    reader.set_keys(spec, key, iv, mac, mac_key)
    wire = bytearray(writer.pack(b"\x5eabcdefgh" * 5))
    wire[-1] ^= 1
    reader.feed(bytes(wire))
    with pytest.raises(ProtocolError) as info:
        reader.next_payload()
    assert info.value.reason == 5  # SSH_DISCONNECT_MAC_ERROR


def _inputs() -> KexInputs:
    return KexInputs(b"SSH-2.0-client", b"SSH-2.0-Comware-5.20", b"\x14client-kexinit", b"\x14server-kexinit")


def test_curve25519_rfc7748_vector() -> None:
    """RFC 7748 6.1 keys through our server kex: K is the encoded shared secret, H the RFC 8731 hash."""
    alice = x25519.X25519PrivateKey.from_private_bytes(
        bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    )
    bob_public = bytes.fromhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    shared = bytes.fromhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    kex._X25519_KEYS._ready.append((alice, alice.public_key().public_bytes_raw()))  # the next pair taken
    host = host_key_from_private(__import__("cryptography.hazmat.primitives.asymmetric.ed25519", fromlist=["x"]).Ed25519PrivateKey.generate())
    server = KexServer(KEX_METHODS["curve25519-sha256"], _inputs(), host.blob, lambda h: host.sign("ssh-ed25519", h))
    replies, outcome = server.handle(30, b"\x1e" + string(bob_public))
    assert outcome is not None
    assert outcome.k == mpint(int.from_bytes(shared, "big"))
    alice_public = alice.public_key().public_bytes_raw()
    expected_h = hashlib.sha256(
        _inputs().prefix() + string(host.blob) + string(bob_public) + string(alice_public) + outcome.k
    ).digest()
    assert outcome.h == expected_h
    reply = Reader(replies[0], 1)
    assert reply.string() == host.blob and reply.string() == alice_public


def test_ephemeral_curve25519_keys_serve_one_exchange_each() -> None:
    pool = kex._EphemeralX25519()
    publics = [pool.take()[1] for _ in range(3 * pool.BATCH + 1)]
    assert len(set(publics)) == len(publics)
    for private, public in [pool.take() for _ in range(2)]:
        assert private.public_key().public_bytes_raw() == public


def test_a_forked_child_never_takes_its_parents_keys() -> None:
    pool = kex._EphemeralX25519()
    pool.take()
    pending = {public for _, public in pool._ready}
    assert pending
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe and exits at once
        try:
            os.write(write_end, b"".join(pool.take()[1] for _ in range(pool.BATCH)))
        finally:
            os._exit(0)
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 4096):
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    child = {data[i : i + 32] for i in range(0, len(data), 32)}
    assert len(child) == pool.BATCH and not child & pending


def test_mpint_encoding_rules() -> None:
    assert mpint(0) == b"\x00\x00\x00\x00"
    assert mpint(0x80) == b"\x00\x00\x00\x02\x00\x80"  # RFC 4251 examples
    assert mpint(0x9A378F9B2E332A7) == bytes.fromhex("000000080 9a378f9b2e332a7".replace(" ", ""))
    assert mpint(-0x1234) == bytes.fromhex("00000002edcc")
    assert mpint_from_unsigned(b"\x00\x00\x80\x01") == b"\x00\x00\x00\x03\x00\x80\x01"


@pytest.mark.parametrize("name", list(KEX_METHODS))
def test_every_kex_agrees(name: str) -> None:
    """Client and server halves of each method derive the same K and H; the signature verifies."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from agent.ssh2.algorithms.hostkey import verify_signature

    host = host_key_from_private(ed25519.Ed25519PrivateKey.generate())
    server = KexServer(KEX_METHODS[name], _inputs(), host.blob, lambda h: host.sign("ssh-ed25519", h))
    client = KexClient(KEX_METHODS[name], _inputs())
    outgoing = client.start()
    outcome_s = outcome_c = None
    for _ in range(4):
        replies: list[bytes] = []
        for payload in outgoing:
            out, outcome_s = server.handle(payload[0], payload)
            replies += out
        outgoing = []
        for payload in replies:
            out, outcome_c = client.handle(payload[0], payload)
            outgoing += out
        if outcome_c is not None:
            break
    assert outcome_s is not None and outcome_c is not None
    assert outcome_s.k == outcome_c.k and outcome_s.h == outcome_c.h
    assert len(outcome_s.h) == hashlib.new(KEX_METHODS[name].hash).digest_size
    assert verify_signature("ssh-ed25519", outcome_c.host_key_blob, outcome_c.signature, outcome_c.h)


def test_dh_rejects_out_of_range_values() -> None:
    server = KexServer(KEX_METHODS["diffie-hellman-group14-sha256"], _inputs(), b"k", lambda h: b"s")
    for bad in (0, 1, -5):
        with pytest.raises(ProtocolError):
            server.handle(30, b"\x1e" + mpint(bad))


def test_curve25519_rejects_bad_points() -> None:
    server = KexServer(KEX_METHODS["curve25519-sha256"], _inputs(), b"k", lambda h: b"s")
    with pytest.raises(ProtocolError):
        server.handle(30, b"\x1e" + string(bytes(31)))
    server = KexServer(KEX_METHODS["curve25519-sha256"], _inputs(), b"k", lambda h: b"s")
    with pytest.raises(ProtocolError):
        server.handle(30, b"\x1e" + string(bytes(32)))  # all-zero point: zero shared secret
