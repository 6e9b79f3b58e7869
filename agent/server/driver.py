"""Per-connection asyncio driver: socket bytes in and out of a sans-IO engine, plus timers.

This is the only place where an SSH connection touches asyncio. It sends the device's
identification line, waits for the client's, picks the SSH-2 or SSH-1.5 engine from it
(RFC 4253 5.1 / the 1.99 rules), and then just pumps bytes and arms one timer.

It also keeps one client from costing the others: the admission rules
(:mod:`agent.server.admission`) are asked before anything is sent; the login grace runs from
the TCP connection on; queued CLI input runs one slice per event-loop turn
(``process_backlog`` via ``call_soon``) and the socket is not read while a slice is waiting or
the client is not reading our output; a connection holding more than :data:`MAX_BUFFERED`
bytes is closed; the user-interface ``idle-timeout`` ends a logged-in session without input.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from agent.errors import ProtocolError
from agent.identification import ClientVersion, IdentificationReader, choose_engine, server_line
from agent.logs import DeferredLines
from agent.server.core import ServerCore
from agent.ssh1.server import RsaHostKey, Ssh1Device, Ssh1ServerCore
from agent.ssh2.server import HostKeySource, Ssh2Device, Ssh2ServerCore

if TYPE_CHECKING:
    from agent.server.listener import DeviceServer  # it imports this module

log = logging.getLogger("switch_agent.ssh")
MAX_BUFFERED = 8 * 1024 * 1024  # bytes held for one connection (all channels) before it is closed
# The memory bound is a safety net behind the protocol bounds (channel windows, the output bound,
# paused reads): checking it on every 16th event keeps it off the per-packet path. One event adds
# at most one socket read (256 KiB) or one command's output, so it cannot overshoot by much.
_CHECK_EVERY = 16
# One INFO line per connection: the driver notes it, agent.logs makes the records in batches.
# local= is the device's own address: in a lab of many devices it says which device the line is about.
CONNECTION_LOG = DeferredLines(log, "peer=%s local=%s server=%s %s (%.1fs)")


@functools.lru_cache(maxsize=64)
def _identification(version: str, software: str) -> tuple[bytes, str]:
    """The identification line as sent, and as logged (devices share a handful of these)."""
    line = server_line(version, software)
    return line, line.decode("ascii").strip()


class ServedHostKeys(HostKeySource, RsaHostKey, Protocol):
    """Host keys for both protocol versions (agent.keys.store.HostKeyStore is one)."""

    def all_loaded(self) -> bool: ...

    def load_all(self) -> None:
        """Make or read every key now (the listener calls it on a worker thread)."""
        ...


class IdleSetting(Protocol):
    """The VTY user-interface's ``idle-timeout``."""

    @property
    def idle_timeout_seconds(self) -> int: ...


class ServedDevice(Ssh2Device, Ssh1Device, Protocol):
    """What the listener and the driver need of a device: both cores' needs and the version to announce."""

    @property
    def host_keys(self) -> ServedHostKeys: ...

    @property
    def vty(self) -> IdleSetting: ...

    @property
    def sysname(self) -> str: ...

    def ssh_protocol_version(self) -> str: ...


def _ssh2(device: ServedDevice, client: ClientVersion, line: str, peer: str, leftover: bytes, deadline: float) -> ServerCore:
    return Ssh2ServerCore(device, client, line, peer, initial_data=leftover, deadline=deadline)


def _ssh1(device: ServedDevice, client: ClientVersion, line: str, peer: str, leftover: bytes, deadline: float) -> ServerCore:
    # The SSH1 server key is shared by the device's connections (ServerKeyCache.for_device).
    core = Ssh1ServerCore(device, client, line, peer, deadline=deadline)
    if leftover:
        core.receive_data(leftover)
    return core


# choose_engine's answer -> the engine for the rest of the connection (bytes after the version line
# go in; the login grace ends at the deadline, counted from the TCP connection)
ENGINES: dict[str, Callable[[ServedDevice, ClientVersion, str, str, bytes, float], ServerCore]] = {
    "2": _ssh2,
    "1": _ssh1,
}


class ConnectionDriver(asyncio.Protocol):
    def __init__(self, device: ServedDevice, context: DeviceServer) -> None:
        self.device = device
        self.context = context  # the DeviceServer: it tracks its live connections
        self.core: ServerCore | None = None
        self.ident = IdentificationReader()
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.local = "?"
        self.timer: asyncio.TimerHandle | None = None
        self._timer_when = 0.0  # the deadline self.timer was armed for
        self.loop: asyncio.AbstractEventLoop  # set in connection_made (asyncio creates us inside the loop)
        self.server_line = ""
        self.started = time.monotonic()
        self._tos: int | None = None
        self._tos_capable = False
        self.result = ""
        self.source = "?"
        self.counted = False  # in the admission counts (connections, and unauthenticated until login)
        self.preauth = False
        self.refused = False
        self._write_paused = False
        self._read_paused = False
        self._events = 0
        self._work: asyncio.Handle | None = None
        self._idle_timer: asyncio.TimerHandle | None = None
        self.last_input = 0.0
        self._pending_start: tuple[ClientVersion, bytes] | None = None  # waiting for host keys

    # ---- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport = transport  # type: ignore[assignment]
        self.context.connections.add(self)
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        local = transport.get_extra_info("sockname")
        self.local = f"{local[0]}:{local[1]}" if local else "?"
        self.source = str(peer[0]) if peer else "?"
        self.last_input = self.loop.time()
        reason = self.context.admit(self.source)
        if reason is not None:
            # Refused before a byte is sent: the descriptor is freed at once (RST), and the refusal
            # is counted and logged per source and minute, not per connection (a flood is thousands).
            self.refused = True
            self.result = f"refused: {reason}"
            self.context.note_refused(self.source, reason)
            transport.abort()  # type: ignore[attr-defined]
            return
        self.counted = self.preauth = True
        # TCP_NODELAY (no delayed-ACK stalls on small replies) is already set by asyncio and
        # uvloop on every TCP transport; tests/unit/test_server_driver.py checks it.
        device = self.device
        self.version = device.ssh_protocol_version()
        line, self.server_line = _identification(self.version, device.profile.identity.ssh_software_version)
        if not device.ssh.enabled:
            self.result = "refused: SSH server disabled (undo ssh server enable)"
            transport.close()
            return
        transport.write(line)  # type: ignore[attr-defined]
        self._arm(self.started + device.ssh.authentication_timeout)

    def data_received(self, data: bytes) -> None:
        self.last_input = self.loop.time()
        try:
            if self.core is None:
                self._version_stage(data)
            else:
                self.core.receive_data(data)
        except Exception:  # noqa: BLE001 - a bug in an engine must not take the process down
            self._internal_error("data_received")
        self._pump()

    def _internal_error(self, where: str) -> None:
        """Second line of defence: engines turn bad input into ProtocolError themselves."""
        log.exception("peer=%s internal error in %s", self.peer, where)
        self.result = "internal error"
        if self.core is not None:
            self.core.disconnect("Internal error")
        elif self.transport is not None:
            self.transport.close()

    def pause_writing(self) -> None:
        """The peer is not reading: stop reading its input too, so our output stops growing."""
        self._write_paused = True
        self._flow()

    def resume_writing(self) -> None:
        self._write_paused = False
        self._flow()

    def _flow(self) -> None:
        """Read the socket only while the client reads our output and no queued input waits for a turn."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        core = self.core
        backlog = core is not None and core.has_backlog
        if backlog and not self._write_paused and self._work is None:
            self._work = self.loop.call_soon(self._run_backlog)
        paused = self._write_paused or backlog
        if paused != self._read_paused:
            self._read_paused = paused
            if paused:
                transport.pause_reading()
            else:
                transport.resume_reading()

    def _run_backlog(self) -> None:
        """One turn of queued CLI input; the next turn is scheduled after everything else that is ready."""
        self._work = None
        core = self.core
        if core is None or core.closed or self._write_paused:
            return
        try:
            core.process_backlog()
        except Exception:  # noqa: BLE001 - see data_received
            self._internal_error("backlog")
        self._pump()

    def connection_lost(self, exc: Exception | None) -> None:
        self.context.connections.discard(self)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None  # the handle points back here: let this driver go by refcount
        for handle in (self._work, self._idle_timer):
            if handle is not None:
                handle.cancel()
        self._work = self._idle_timer = None
        if self.counted:
            failures = self.core.login_failures if self.core is not None else 0
            self.context.release(self.source, self.preauth, failures)
            self.counted = self.preauth = False
        if self.refused:
            return
        if self.core is not None:
            self.core.connection_lost()
            summary = self.core.log_summary()
            self._finish_input()
        else:
            summary = self.result or "closed before version exchange"
        CONNECTION_LOG.note(self.peer, self.local, self.server_line, summary, time.monotonic() - self.started)

    # ---- stages -------------------------------------------------------------------------------

    def _version_stage(self, data: bytes) -> None:
        try:
            client = self.ident.feed(data)
            if client is None:
                return
            engine = choose_engine(client, self.version)
        except ProtocolError as exc:
            self.result = f"version exchange failed: {exc.description}"
            assert self.transport is not None
            self.transport.write(exc.description.encode("ascii", "replace") + b"\n")
            self.transport.close()
            return
        leftover = self.ident.leftover
        keys = self.context.keys_ready(engine)
        if keys is not None:
            # First connection to a device whose host keys (or SSH1 server key) are not made yet:
            # they are made on a worker thread, never on the loop every device shares.
            self._pending_start = (client, leftover)
            if self.transport is not None:
                self.transport.pause_reading()
            keys.add_done_callback(lambda _: self._keys_made(engine))
            return
        self._start_engine(engine, client, leftover)

    def _keys_made(self, engine: str) -> None:
        pending, self._pending_start = self._pending_start, None
        transport = self.transport
        if pending is None or transport is None or transport.is_closing():
            return
        transport.resume_reading()
        try:
            self._start_engine(engine, *pending)
        except Exception:  # noqa: BLE001 - see data_received
            self._internal_error("start")
        self._pump()

    def _start_engine(self, engine: str, client: ClientVersion, leftover: bytes) -> None:
        deadline = self.started + self.device.ssh.authentication_timeout  # grace from the TCP connection on
        core = ENGINES[engine](self.device, client, self.server_line, self.peer, leftover, deadline)
        self.core = core
        core.wakeup = self._pump
        self._tos_capable = hasattr(self.core, "tos")  # the SSH1 engine asks for IP type-of-service changes

    def _pump(self) -> None:
        core = self.core
        transport = self.transport
        if core is None or transport is None:
            return
        out = core.data_to_send()
        if out and not transport.is_closing():
            transport.write(out)
        if self._tos_capable:
            tos = core.tos  # type: ignore[attr-defined]
            if tos != self._tos:
                self._set_tos(tos)
        if core.closed:
            transport.close()
            return
        if self.preauth and core.authenticated:
            self.preauth = False
            self.context.logged_in(self.source)
            self._arm_idle()
        self._events += 1
        if not self._events % _CHECK_EVERY:
            held = core.buffered_bytes() + transport.get_write_buffer_size()
            if held > MAX_BUFFERED:
                self.result = "closed: connection buffer limit"
                core.disconnect(f"Too much data held for this connection ({held} bytes)")
                out = core.data_to_send()
                if out:
                    transport.write(out)
                transport.close()
                return
        deadline = core.next_deadline()
        if deadline is not None and (self.timer is None or deadline < self._timer_when):
            self._arm(deadline)
        if core.has_backlog or self._read_paused:
            self._flow()

    def _finish_input(self) -> None:
        """Input the client sent before it left still runs, one turn per event-loop turn."""
        core = self.core
        try:
            more = core is not None and core.finish_input()
        except Exception:  # noqa: BLE001 - see data_received
            log.exception("peer=%s internal error finishing its input", self.peer)
            more = False
        if more:
            self.loop.call_soon(self._finish_input)

    def _arm_idle(self) -> None:
        """Comware's user-interface ``idle-timeout`` (0: never): checked against the last input."""
        timeout = self.device.vty.idle_timeout_seconds
        if timeout > 0:
            due = max(self.last_input + timeout, self.loop.time() + 0.05)
            self._idle_timer = self.loop.call_at(due, self._on_idle)

    def _on_idle(self) -> None:
        self._idle_timer = None
        core = self.core
        if core is None or core.closed:
            return
        timeout = self.device.vty.idle_timeout_seconds
        if timeout > 0 and self.loop.time() - self.last_input >= timeout:
            core.disconnect("Idle timeout")
            self._pump()
            return
        self._arm_idle()

    def _set_tos(self, tos: int) -> None:
        self._tos = tos
        sock = self.transport.get_extra_info("socket") if self.transport else None
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
            except OSError:
                pass

    def _arm(self, deadline: float) -> None:
        """Keep one timer armed no later than ``deadline``.

        A timer that fires early is harmless (the core compares the time itself and the timer
        re-arms for whatever comes next), so the timer is only replaced when the deadline
        moves earlier; most packets then cost no timer work at all.
        """
        if self.timer is not None:
            if self._timer_when <= deadline:
                return
            self.timer.cancel()
        self.timer = self.loop.call_at(deadline, self._on_timer)
        self._timer_when = deadline

    def close(self, reason: str) -> None:
        """End this connection from the device side, whatever stage it is in."""
        if self.core is not None:
            self.core.disconnect(reason)
            self._pump()
        elif self.transport is not None:
            self.result = f"closed: {reason}"
            self.transport.close()

    def _on_timer(self) -> None:
        self.timer = None
        now = time.monotonic()
        if self.core is None:
            if self.transport is not None and not self.transport.is_closing():
                self.result = "timeout in version exchange"
                self.transport.close()
            return
        try:
            self.core.on_deadline(now)
        except Exception:  # noqa: BLE001 - see data_received
            self._internal_error("timer")
        self._pump()
