"""The ssh-connection service, server side (RFC 4254), sans-IO.

A switch offers session channels only: ``pty-req``, ``env``, ``shell``, ``exec`` and
``window-change`` are served; port forwarding, X11, agent forwarding and subsystems (SFTP is
disabled on the device by default) are refused as the device refuses them. Each session
channel drives one CLI session of the device; flow-control windows are honoured both ways.

What a client types waits in the channel's :class:`~agent.inputqueue.InputQueue` and reaches
the CLI a few lines per event-loop turn (:meth:`ServerConnection.process_backlog`, called by the
driver while :attr:`ServerConnection.has_backlog`); while the output held for the client is
above :data:`~agent.inputqueue.OUTPUT_BOUND` its input waits and its window stays closed, so a
client that types without reading holds at most one window of input and one bound of output.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.errors import ProtocolError
from agent.inputqueue import OUTPUT_BOUND, TURN_SECONDS, InputQueue
from agent.sessions import CliSession
from agent.ssh2.constants import (
    MSG_CHANNEL_CLOSE,
    MSG_CHANNEL_DATA,
    MSG_CHANNEL_EOF,
    MSG_CHANNEL_EXTENDED_DATA,
    MSG_CHANNEL_FAILURE,
    MSG_CHANNEL_OPEN,
    MSG_CHANNEL_OPEN_CONFIRMATION,
    MSG_CHANNEL_OPEN_FAILURE,
    MSG_CHANNEL_REQUEST,
    MSG_CHANNEL_SUCCESS,
    MSG_CHANNEL_WINDOW_ADJUST,
    MSG_GLOBAL_REQUEST,
    MSG_REQUEST_FAILURE,
    MSG_REQUEST_SUCCESS,
    OPEN_ADMINISTRATIVELY_PROHIBITED,
    OPEN_RESOURCE_SHORTAGE,
    OPEN_UNKNOWN_CHANNEL_TYPE,
)
from agent.wire import Reader, byte, string, uint32

# Our receive window per channel: what a client may send before we have read it. Keystrokes and
# pasted configuration need little; this bounds the input a client can park in a channel.
WINDOW = 256 * 1024
MAX_PACKET = 32768
MAX_CHANNELS = 10
_DATA_HEADER = struct.Struct(">BII")  # CHANNEL_DATA, recipient channel, data length
_CHANNEL_ONLY = struct.Struct(">BI")  # CHANNEL_EOF / CHANNEL_CLOSE / CHANNEL_SUCCESS / CHANNEL_FAILURE
_OPEN_CONFIRMATION = struct.Struct(">BIIII")
_EXIT_STATUS = struct.Struct(">BII11sBI")  # CHANNEL_REQUEST "exit-status", want_reply FALSE, status
_FORWARDING_TYPES = {"direct-tcpip", "forwarded-tcpip", "x11", "auth-agent@openssh.com", "direct-streamlocal@openssh.com"}


CliFactory = Callable[..., CliSession]


@dataclass
class Channel:
    local_id: int
    remote_id: int
    remote_window: int
    remote_max_packet: int
    local_window: int = WINDOW
    pty: dict[str, object] | None = None
    env: dict[str, str] = field(default_factory=dict)
    cli: CliSession | None = None
    pending: bytearray = field(default_factory=bytearray)
    inbox: InputQueue = field(default_factory=InputQueue)  # typed, not yet seen by the CLI
    started: bool = False
    eof_received: bool = False
    closing: bool = False  # output is flushed, then exit-status, EOF, CLOSE
    close_sent: bool = False
    exit_status: int | None = None


class ServerConnection:
    """Channel multiplexer; ``open_cli(interactive, width, height, term)`` creates CLI sessions."""

    def __init__(
        self, send: Callable[[bytes], None], open_cli: CliFactory, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.send = send
        self.open_cli = open_cli
        self.clock = clock
        self.turn_used = False  # this event's CLI turn is spent: more input waits for process_backlog
        self.channels: dict[int, Channel] = {}
        self._next_id = 0

    # ---- dispatch -----------------------------------------------------------------------------

    def handle(self, msg_type: int, payload: bytes) -> None:
        reader = Reader(payload, 1)
        if msg_type == MSG_GLOBAL_REQUEST:
            reader.text()
            if reader.boolean():
                self.send(byte(MSG_REQUEST_FAILURE))
            return
        if msg_type == MSG_CHANNEL_OPEN:
            self._open(reader)
            return
        if msg_type in (MSG_REQUEST_SUCCESS, MSG_REQUEST_FAILURE):
            return
        channel = self._channel(reader.uint32())
        if msg_type == MSG_CHANNEL_DATA:
            self._data(channel, reader.string())
        elif msg_type == MSG_CHANNEL_EXTENDED_DATA:
            reader.uint32()
            self._consume_window(channel, len(reader.string()))
        elif msg_type == MSG_CHANNEL_WINDOW_ADJUST:
            channel.remote_window = min(channel.remote_window + reader.uint32(), 0xFFFFFFFF)
            self._flush(channel)
        elif msg_type == MSG_CHANNEL_EOF:
            channel.eof_received = True
            if not channel.inbox:  # else the end of the queued input closes (see _drain)
                self._close_on_eof(channel)
        elif msg_type == MSG_CHANNEL_CLOSE:
            if not channel.close_sent:
                self.send(byte(MSG_CHANNEL_CLOSE) + uint32(channel.remote_id))
            self._release(channel)
        elif msg_type == MSG_CHANNEL_REQUEST:
            self._request(channel, reader)
        elif msg_type in (MSG_CHANNEL_SUCCESS, MSG_CHANNEL_FAILURE, MSG_CHANNEL_OPEN_CONFIRMATION):
            return
        else:
            raise ProtocolError(f"unexpected connection message {msg_type}")

    def _channel(self, local_id: int) -> Channel:
        channel = self.channels.get(local_id)
        if channel is None:
            raise ProtocolError(f"message for unknown channel {local_id}")
        return channel

    def _open(self, reader: Reader) -> None:
        kind = reader.text()
        remote_id = reader.uint32()
        window = reader.uint32()
        max_packet = reader.uint32()
        if kind != "session":
            code = OPEN_ADMINISTRATIVELY_PROHIBITED if kind in _FORWARDING_TYPES else OPEN_UNKNOWN_CHANNEL_TYPE
            text = "Forwarding is not supported by this device" if kind in _FORWARDING_TYPES else f"Unknown channel type {kind}"
            self.send(byte(MSG_CHANNEL_OPEN_FAILURE) + uint32(remote_id) + uint32(code) + string(text) + string(b""))
            return
        if len(self.channels) >= MAX_CHANNELS:
            self.send(
                byte(MSG_CHANNEL_OPEN_FAILURE)
                + uint32(remote_id)
                + uint32(OPEN_RESOURCE_SHORTAGE)
                + string(b"Too many sessions")
                + string(b"")
            )
            return
        local_id = self._next_id
        self._next_id += 1
        self.channels[local_id] = Channel(local_id, remote_id, window, max(1, min(max_packet, MAX_PACKET)))
        self.send(_OPEN_CONFIRMATION.pack(MSG_CHANNEL_OPEN_CONFIRMATION, remote_id, local_id, WINDOW, MAX_PACKET))

    # ---- requests -----------------------------------------------------------------------------

    def _reply(self, channel: Channel, want_reply: bool, ok: bool) -> None:
        if want_reply:
            self.send(_CHANNEL_ONLY.pack(MSG_CHANNEL_SUCCESS if ok else MSG_CHANNEL_FAILURE, channel.remote_id))

    def _request(self, channel: Channel, reader: Reader) -> None:
        request = reader.text()
        want_reply = reader.boolean()
        if channel.closing:
            self._reply(channel, want_reply, False)
            return
        if request == "pty-req" and not channel.started:
            term = reader.text()
            cols, rows = reader.uint32(), reader.uint32()
            reader.uint32()
            reader.uint32()
            reader.string()  # terminal modes
            channel.pty = {"term": term, "width": cols or 80, "height": rows or 24}
            self._reply(channel, want_reply, True)
        elif request == "env":
            name, value = reader.text(), reader.text()
            if len(channel.env) < 64:
                channel.env[name] = value
            self._reply(channel, want_reply, True)
        elif request == "window-change":
            cols, rows = reader.uint32(), reader.uint32()
            if channel.pty is not None:
                channel.pty["width"], channel.pty["height"] = cols or 80, rows or 24
            if channel.cli is not None:
                channel.cli.resize(cols or 80, rows or 24)
            self._reply(channel, want_reply, True)  # RFC 4254 says want_reply is FALSE; answer if asked
        elif request == "shell" and not channel.started:
            channel.started = True
            self._reply(channel, want_reply, True)
            pty = channel.pty or {}
            channel.cli = self.open_cli(
                interactive=channel.pty is not None,
                width=int(pty.get("width", 80)),  # type: ignore[call-overload]
                height=int(pty.get("height", 24)),  # type: ignore[call-overload]
                term=str(pty.get("term", "")),
            )
            self._output(channel, channel.cli.start())
            self._after_cli(channel)
        elif request == "exec" and not channel.started:
            channel.started = True
            command = reader.text()
            self._reply(channel, want_reply, True)
            cli = self.open_cli(interactive=False, width=80, height=24, term="")
            output, status = cli.execute(command)
            self._output(channel, output)
            self._begin_close(channel, status)
        else:
            # x11-req, auth-agent-req@openssh.com, subsystem (sftp), signal, break, keepalive@openssh.com ...
            self._reply(channel, want_reply, False)

    # ---- data -------------------------------------------------------------------------------

    def _consume_window(self, channel: Channel, size: int) -> None:
        if size > channel.local_window:
            raise ProtocolError("peer sent more data than the channel window allows")
        channel.local_window -= size
        self._maybe_adjust(channel)

    def _maybe_adjust(self, channel: Channel) -> None:
        """Reopen the peer's window once its input is consumed, unless our output for it piles up.

        A client that keeps typing while it reads nothing would otherwise grow ``pending``
        without bound; holding back the adjust makes it stop at one window of input.
        """
        if channel.local_window < WINDOW // 2 and not channel.inbox and len(channel.pending) < OUTPUT_BOUND:
            self.send(byte(MSG_CHANNEL_WINDOW_ADJUST) + uint32(channel.remote_id) + uint32(WINDOW - channel.local_window))
            channel.local_window = WINDOW

    def _data(self, channel: Channel, data: bytes) -> None:
        if len(data) > channel.local_window:
            raise ProtocolError("peer sent more data than the channel window allows")
        channel.local_window -= len(data)
        if channel.cli is None or channel.closing:
            self._maybe_adjust(channel)
            return
        channel.inbox.push(data)
        if not self.turn_used:  # one CLI turn per event, however many packets it brought
            self._drain(channel)

    def _drain(self, channel: Channel) -> None:
        """Hand the CLI one turn's worth of the channel's queued input, if its output is not piling up."""
        inbox = channel.inbox
        cli = channel.cli
        if cli is None or channel.closing:
            inbox.clear()
        else:
            # One line at a time while this turn's time lasts (at least one line per turn).
            self.turn_used = True
            stop = self.clock() + TURN_SECONDS
            while inbox and len(channel.pending) < OUTPUT_BOUND and not channel.closing:
                self._output(channel, cli.feed(inbox.take()))
                self._after_cli(channel)
                if self.clock() >= stop:
                    break
        if not inbox:
            if channel.eof_received and not channel.closing:
                self._close_on_eof(channel)
            elif not channel.closing:
                self._maybe_adjust(channel)

    def _close_on_eof(self, channel: Channel) -> None:
        """EOF ends a channel without a CLI or a pty (`echo cmds | ssh sw`); a pty shell goes on."""
        if channel.cli is None or channel.pty is None:
            self._begin_close(channel, channel.exit_status or 0)

    @property
    def has_backlog(self) -> bool:
        """True when some channel has queued input the CLI can take now."""
        return any(
            ch.inbox and ch.cli is not None and not ch.closing and len(ch.pending) < OUTPUT_BOUND
            for ch in self.channels.values()
        )

    def process_backlog(self) -> None:
        """One turn: each channel with runnable queued input gets one turn of the CLI."""
        for channel in list(self.channels.values()):
            if channel.inbox:
                self.turn_used = False
                self._drain(channel)

    def finish_turn(self) -> bool:
        """After the client left: one more turn of what it had typed, output discarded.

        The device had received (and acknowledged) that input, so it runs it, as it would have
        before the input was queued (a push cut off mid-way still lands whole); fairly, one turn
        per call. True while input is left.
        """
        more = False
        for channel in self.channels.values():
            cli = channel.cli
            if cli is None or cli.closed or not channel.inbox:
                channel.inbox.clear()
                continue
            stop = self.clock() + TURN_SECONDS
            while channel.inbox and not cli.closed:
                cli.feed(channel.inbox.take())
                if self.clock() >= stop:
                    break
            channel.pending.clear()
            more = more or (bool(channel.inbox) and not cli.closed)
        return more

    @property
    def buffered(self) -> int:
        """Bytes held for this connection's channels: queued input and output the client has not taken."""
        return sum(len(ch.pending) + len(ch.inbox) for ch in self.channels.values())

    def _after_cli(self, channel: Channel) -> None:
        cli = channel.cli
        if cli is not None and cli.closed and not channel.closing:
            self._begin_close(channel, cli.exit_status)

    def _output(self, channel: Channel, data: bytes) -> None:
        if data:
            channel.pending += data
            self._flush(channel)

    def _flush(self, channel: Channel) -> None:
        pending = channel.pending
        send = self.send
        while pending and channel.remote_window > 0:
            size = min(len(pending), channel.remote_window, channel.remote_max_packet)
            send(_DATA_HEADER.pack(MSG_CHANNEL_DATA, channel.remote_id, size) + pending[:size])
            del pending[:size]
            channel.remote_window -= size
        if not channel.closing:
            self._maybe_adjust(channel)
        elif not pending and not channel.close_sent:
            remote_id = channel.remote_id
            send(_EXIT_STATUS.pack(MSG_CHANNEL_REQUEST, remote_id, 11, b"exit-status", 0, (channel.exit_status or 0) & 0xFFFFFFFF))
            send(_CHANNEL_ONLY.pack(MSG_CHANNEL_EOF, remote_id))
            send(_CHANNEL_ONLY.pack(MSG_CHANNEL_CLOSE, remote_id))
            channel.close_sent = True

    def _begin_close(self, channel: Channel, status: int) -> None:
        if channel.closing:
            return
        channel.closing = True
        channel.exit_status = status
        channel.inbox.clear()  # typed after the end of the session: nobody reads it
        self._flush(channel)

    def _release(self, channel: Channel) -> None:
        self.channels.pop(channel.local_id, None)

    @property
    def idle(self) -> bool:
        return not self.channels
