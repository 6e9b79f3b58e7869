"""The SSH-2 transport layer, sans-IO, shared by the server and the test client.

It owns the packet reader/writer, runs key exchanges (the first one and every rekey, from
either side), enforces strict KEX (the Terrapin fix), handles ``first_kex_packet_follows``
guesses, and hands every non-transport payload to the role's ``_dispatch``. While a key
exchange is running, outgoing service payloads are queued, as RFC 4253 9 requires.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from agent.errors import DisconnectReason, ProtocolError
from agent.ssh2.algorithms import CIPHERS, COMPRESSIONS, KEX_METHODS, MACS
from agent.ssh2.algorithms.compression import Compressor, Decompressor
from agent.ssh2.algorithms.kex import KexInputs, KexOutcome
from agent.ssh2.constants import (
    EXT_INFO_CLIENT,
    MSG_DEBUG,
    MSG_DISCONNECT,
    MSG_IGNORE,
    MSG_KEXINIT,
    MSG_NEWKEYS,
    MSG_SERVICE_ACCEPT,
    MSG_SERVICE_REQUEST,
    MSG_UNIMPLEMENTED,
    STRICT_KEX_CLIENT,
    STRICT_KEX_SERVER,
)
from agent.ssh2.keys import derive_keys
from agent.ssh2.negotiation import KexInit, Negotiated, guess_was_right, negotiate
from agent.ssh2.packet import DirectionKeys, PacketReader, PacketWriter, direction_keys
from agent.wire import Reader, byte, string, uint32

_KEX_MESSAGES = range(30, 50)
_KEY_NAMES = ("iv_c2s", "iv_s2c", "enc_c2s", "enc_s2c", "mac_c2s", "mac_s2c")


class Transport(ABC):
    """Common machinery; subclasses say which role they play and what the service layer does."""

    is_server = True

    def __init__(self, local_version: str, remote_version: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.local_version = local_version.encode("ascii")
        self.remote_version = remote_version.encode("ascii")
        self.clock = clock
        self.reader = PacketReader()
        self.writer = PacketWriter()
        self._out = bytearray()
        self.closed = False
        self.disconnect_reason: str | None = None
        self.session_id: bytes | None = None
        self.negotiated: Negotiated | None = None
        self.strict_kex = False
        self.peer_wants_ext_info = False
        self.rekey_bytes = 1 << 30
        self.rekey_seconds = 3600.0
        self.kex_count = 0
        self._last_kex_time = clock()
        self._local_kexinit: KexInit | None = None
        self._remote_kexinit: KexInit | None = None
        self._kex: object | None = None
        self._skip_guess = False
        self._sent_newkeys = False
        self._got_newkeys = False
        self._pending_keys: DirectionKeys | None = None  # the peer's direction, from its NEWKEYS on
        self._queued: list[bytes] = []
        self._first_packet = True
        self.authenticated = False  # delayed compression (zlib@openssh.com) starts once this is set

    # ---- subclass hooks -------------------------------------------------------------------------

    @abstractmethod
    def _kexinit_lists(self) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        """(kex, host key, cipher, mac, compression) this side offers, most preferred first."""

    @abstractmethod
    def _start_kex(self, negotiated: Negotiated, inputs: KexInputs) -> list[bytes]:
        """Create the kex state machine for the negotiated method; return payloads to send now."""

    def _kex_finished(self, outcome: KexOutcome) -> None:  # noqa: B027 - optional hook
        """Server: nothing; client: verify the host key signature."""

    @abstractmethod
    def _dispatch(self, msg_type: int, payload: bytes) -> None:
        """Handle a service-layer payload (userauth, connection)."""

    def _after_first_kex(self) -> None:  # noqa: B027 - optional hook
        """Called once after the first key exchange completes in both directions."""

    # ---- I/O surface ------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        if self.closed:
            return
        reader = self.reader
        reader.feed(data)
        next_payload = reader.next_payload
        handle = self._handle_payload
        pending = reader._buffer  # mutated in place, never replaced
        try:
            while pending and not self.closed:  # an empty buffer never holds a packet
                payload = next_payload()
                if payload is None:
                    break
                handle(payload)
            if self.kex_count and self._local_kexinit is None and not self.closed:
                # By volume only: re-keying by time is the timer's job (next_rekey_deadline).
                limit = self.rekey_bytes
                if reader.bytes_since_kex >= limit or self.writer.bytes_since_kex >= limit:
                    self.send_kexinit()
        except ProtocolError as exc:
            self._fail(exc)

    def data_to_send(self) -> bytes:
        if not self._out:
            return b""
        out = bytes(self._out)
        self._out.clear()
        return out

    def send_payload(self, payload: bytes) -> None:
        """Send a service-layer payload, queueing it while a key exchange is in progress."""
        if self.closed:
            return
        if self._local_kexinit is not None:  # in_kex
            self._queued.append(payload)
            return
        writer = self.writer
        self._out += writer.pack(payload)
        if writer.bytes_since_kex >= self.rekey_bytes and self.kex_count:
            # Long output (a big `display`) must not outlive its keys: re-key mid-stream; what
            # follows waits in the queue until the new keys are in place.
            self.send_kexinit()

    def disconnect(self, reason: str, code: DisconnectReason = DisconnectReason.BY_APPLICATION) -> None:
        if self.closed:
            return
        self._out += self.writer.pack(byte(MSG_DISCONNECT) + uint32(int(code)) + string(reason) + string(b""))
        self.closed = True
        self.disconnect_reason = reason

    def _fail(self, exc: ProtocolError) -> None:
        self.disconnect(exc.description, exc.reason)

    @property
    def in_kex(self) -> bool:
        return self._local_kexinit is not None

    # ---- key exchange -----------------------------------------------------------------------------

    def send_kexinit(self) -> None:
        if self._local_kexinit is not None:
            return
        kex, host_key, cipher, mac, compression = self._kexinit_lists()
        if self.kex_count == 0:
            kex = [*kex, STRICT_KEX_SERVER if self.is_server else STRICT_KEX_CLIENT]
            if not self.is_server:
                kex.append(EXT_INFO_CLIENT)
        self._local_kexinit = KexInit.build(kex, host_key, cipher, mac, compression)
        self._out += self.writer.pack(self._local_kexinit.payload)

    def _maybe_rekey(self) -> None:
        if self.closed or self.in_kex or self.kex_count == 0:
            return
        volume = max(self.reader.bytes_since_kex, self.writer.bytes_since_kex)
        if volume >= self.rekey_bytes or self.clock() - self._last_kex_time >= self.rekey_seconds:
            self.send_kexinit()

    def next_rekey_deadline(self) -> float | None:
        if self.kex_count == 0 or self.in_kex:
            return None
        return self._last_kex_time + self.rekey_seconds

    def _handle_payload(self, payload: bytes) -> None:
        msg_type = payload[0]
        if msg_type >= 50 and self._remote_kexinit is None and self.kex_count:
            # the service layer between key exchanges: no ordering rule applies (see _check_ordering)
            self._dispatch(msg_type, payload)
            return
        if msg_type == MSG_DISCONNECT:
            reader = Reader(payload, 1)
            reader.uint32()
            self.disconnect_reason = "peer: " + reader.text() if reader.remaining else "peer disconnected"
            self.closed = True
            return
        self._check_ordering(msg_type, payload)
        if msg_type in (MSG_IGNORE, MSG_DEBUG, MSG_UNIMPLEMENTED):
            return
        if msg_type == MSG_KEXINIT:
            self._on_kexinit(payload)
        elif msg_type in _KEX_MESSAGES:
            self._on_kex_message(msg_type, payload)
        elif msg_type == MSG_NEWKEYS:
            self._on_newkeys()
        else:
            self._dispatch(msg_type, payload)

    def _check_ordering(self, msg_type: int, payload: bytes) -> None:
        """Which messages may arrive when (RFC 4253 7.1, and strict KEX for the first exchange)."""
        first = self._first_packet
        self._first_packet = False
        initial = self.kex_count == 0
        if initial and self._remote_kexinit is None:
            # Before the peer's first KEXINIT only IGNORE/DEBUG are tolerated, and not even those
            # under strict KEX (known only once the KEXINIT is parsed; OpenSSH's rule).
            if msg_type == MSG_KEXINIT:
                if not first:
                    peer_strict = STRICT_KEX_CLIENT if self.is_server else STRICT_KEX_SERVER
                    if peer_strict in KexInit.parse(payload).lists["kex"]:
                        raise ProtocolError("strict KEX violation: KEXINIT was not the first packet")
                return
            if msg_type not in (MSG_IGNORE, MSG_DEBUG):
                raise ProtocolError(f"message {msg_type} before key exchange", DisconnectReason.PROTOCOL_ERROR)
            return
        if self._remote_kexinit is None:
            return  # between key exchanges: anything the service layer accepts
        if initial and self.strict_kex and msg_type not in _KEX_MESSAGES and msg_type != MSG_NEWKEYS:
            raise ProtocolError(f"strict KEX violation: unexpected message {msg_type} during initial kex")
        if msg_type in (MSG_SERVICE_REQUEST, MSG_SERVICE_ACCEPT) or 22 <= msg_type <= 29 or msg_type >= 50:
            raise ProtocolError(f"message {msg_type} not allowed during key exchange")

    def _on_kexinit(self, payload: bytes) -> None:
        if self._remote_kexinit is not None:
            raise ProtocolError("KEXINIT received twice during one key exchange")
        remote = KexInit.parse(payload)
        self._remote_kexinit = remote
        if self.kex_count == 0:
            peer_strict = STRICT_KEX_CLIENT if self.is_server else STRICT_KEX_SERVER
            self.strict_kex = peer_strict in remote.lists["kex"]
            if self.is_server:
                self.peer_wants_ext_info = EXT_INFO_CLIENT in remote.lists["kex"]
        self.send_kexinit()
        local = self._local_kexinit
        assert local is not None
        client, server = (remote, local) if self.is_server else (local, remote)
        negotiated = negotiate(client, server, self._usable_host_keys(server.lists["host_key"]))
        self.negotiated = negotiated
        if remote.first_kex_packet_follows and not guess_was_right(client, server, negotiated):
            self._skip_guess = True
        inputs = KexInputs(
            v_c=self.remote_version if self.is_server else self.local_version,
            v_s=self.local_version if self.is_server else self.remote_version,
            i_c=client.payload,
            i_s=server.payload,
        )
        for out in self._start_kex(negotiated, inputs):
            self._out += self.writer.pack(out)

    def _usable_host_keys(self, offered: list[str]) -> list[str]:
        return offered

    def _on_kex_message(self, msg_type: int, payload: bytes) -> None:
        if self._remote_kexinit is None or self._kex is None:
            raise ProtocolError(f"key exchange message {msg_type} outside a key exchange")
        if self._skip_guess:
            self._skip_guess = False  # the client's guessed packet used the wrong method: drop it
            return
        replies, outcome = self._kex.handle(msg_type, payload)  # type: ignore[attr-defined]
        for out in replies:
            self._out += self.writer.pack(out)
        if outcome is not None:
            self._kex_finished(outcome)
            self._install_keys(outcome)

    def _install_keys(self, outcome: KexOutcome) -> None:
        if self.session_id is None:
            self.session_id = outcome.h
        neg = self.negotiated
        assert neg is not None
        hash_name = KEX_METHODS[neg.kex].hash
        sid = self.session_id
        c2s, s2c = CIPHERS[neg.cipher_c2s], CIPHERS[neg.cipher_s2c]
        mac_c2s = MACS.get(neg.mac_c2s) if not c2s.has_integrity else None
        mac_s2c = MACS.get(neg.mac_s2c) if not s2c.has_integrity else None

        wanted = (
            (b"A", c2s.iv_size),
            (b"B", s2c.iv_size),
            (b"C", c2s.key_size),
            (b"D", s2c.key_size),
            (b"E", mac_c2s.key_size if mac_c2s else 0),
            (b"F", mac_s2c.key_size if mac_s2c else 0),
        )
        keys = dict(zip(_KEY_NAMES, derive_keys(hash_name, outcome.k, outcome.h, sid, wanted), strict=True))
        # Our NEWKEYS goes out with the old keys; everything after it uses the new ones.
        self._out += self.writer.pack(byte(MSG_NEWKEYS))
        directions = {"c2s": (c2s, mac_c2s), "s2c": (s2c, mac_s2c)}
        out_dir, in_dir = ("s2c", "c2s") if self.is_server else ("c2s", "s2c")
        spec, mac = directions[out_dir]
        self.writer.use_keys(
            direction_keys(spec, keys[f"enc_{out_dir}"], keys[f"iv_{out_dir}"], mac, keys[f"mac_{out_dir}"], encrypt=True)
        )
        # The peer's direction is made now, with ours (one burst of cipher set-up instead of two),
        # and used from the peer's NEWKEYS on.
        spec, mac = directions[in_dir]
        self._pending_keys = direction_keys(
            spec, keys[f"enc_{in_dir}"], keys[f"iv_{in_dir}"], mac, keys[f"mac_{in_dir}"], encrypt=False
        )
        comp_name = neg.compression_s2c if self.is_server else neg.compression_c2s
        self.writer.compressor = Compressor() if self._compression_active(comp_name) else None
        if self.strict_kex:
            self.writer.seq = 0
        self._sent_newkeys = True
        if self.kex_count == 0 and self.is_server and self.peer_wants_ext_info:
            self._out += self.writer.pack(self._ext_info_payload())
        self._maybe_finish_kex()

    def _on_newkeys(self) -> None:
        if self._pending_keys is None or self._got_newkeys:
            raise ProtocolError("unexpected NEWKEYS")
        neg = self.negotiated
        assert neg is not None
        self.reader.use_keys(self._pending_keys)
        comp_name = neg.compression_c2s if self.is_server else neg.compression_s2c
        self.reader.decompressor = Decompressor() if self._compression_active(comp_name) else None
        if self.strict_kex:
            self.reader.seq = 0
        self._got_newkeys = True
        self._maybe_finish_kex()

    def _maybe_finish_kex(self) -> None:
        if not (self._sent_newkeys and self._got_newkeys):
            return
        first = self.kex_count == 0
        self.kex_count += 1
        self._last_kex_time = self.clock()
        self._local_kexinit = None
        self._remote_kexinit = None
        self._kex = None
        self._pending_keys = None
        self._sent_newkeys = False
        self._got_newkeys = False
        queued, self._queued = self._queued, []
        for payload in queued:
            self.send_payload(payload)  # may start the next re-key and queue the rest again
        if first:
            self._after_first_kex()

    # ---- compression ------------------------------------------------------------------------------

    def _compression_active(self, name: str) -> bool:
        spec = COMPRESSIONS[name]
        return spec.enabled and (not spec.delayed or self.authenticated)

    def _start_delayed_compression(self) -> None:
        """zlib@openssh.com: start both streams right after USERAUTH_SUCCESS."""
        neg = self.negotiated
        if neg is None:
            return
        out_name = neg.compression_s2c if self.is_server else neg.compression_c2s
        in_name = neg.compression_c2s if self.is_server else neg.compression_s2c
        if COMPRESSIONS[out_name].delayed and self.writer.compressor is None:
            self.writer.compressor = Compressor()
        if COMPRESSIONS[in_name].delayed and self.reader.decompressor is None:
            self.reader.decompressor = Decompressor()

    def _ext_info_payload(self) -> bytes:
        """The server's SSH_MSG_EXT_INFO (RFC 8308); a server role must override this."""
        raise TypeError(f"{type(self).__name__} offers ext-info but builds no EXT_INFO")
