"""Run the devices of a lab: one asyncio loop serving many devices, or K forked workers.

Each device is a full :class:`agent.device.Device` with its own ``DeviceServer`` listener.
Host keys are created lazily by the device's key store on the first SSH login, so starting a
device costs only building its model: a thousand devices start in seconds. With
``processes > 1`` the parent forks workers, each with its own event loop and a slice of the
devices (SSH handshakes are CPU-bound and one loop uses one core); the workers report their
bound ports back through a pipe so the parent can write one inventory.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from agent.lab.plan import DeviceSlot
from agent.profiles.model import Profile
from agent.profiles.startups import StartupRule
from agent.server.admission import raise_open_file_limit
from agent.server.listener import install_stop_signals, run_event_loop

log = logging.getLogger("switch_agent.lab")


@dataclass
class Bound:
    """Where a started device actually listens (port 0 in the plan becomes a real port)."""

    name: str
    host: str
    port: int
    snmp_port: int | None


class _ProfileCache:
    """One parsed profile per file, and one per-device copy that differs only in sysname/MAC."""

    def __init__(self) -> None:
        self._profiles: dict[str, Any] = {}

    def for_slot(self, slot: DeviceSlot) -> Any:
        from agent.profiles import load_profile

        base = self._profiles.get(slot.profile)
        if base is None:
            base = self._profiles[slot.profile] = load_profile(slot.profile)
        mac = int(base.identity.mac_base.replace("-", ""), 16) + (slot.index + 1) * 0x10000
        text = f"{mac & 0xFFFFFFFFFFFF:012x}"
        identity = base.identity.model_copy(
            update={"sysname": slot.name, "mac_base": f"{text[0:4]}-{text[4:8]}-{text[8:12]}"}
        )
        return base.model_copy(update={"identity": identity})


class LabRuntime:
    """Serve a list of device slots on the running event loop."""

    def __init__(self, slots: list[DeviceSlot]) -> None:
        self.slots = slots
        self.servers: list[Any] = []
        self.snmp_agents: list[Any] = []
        self.devices: dict[str, Any] = {}
        self.bound: list[Bound] = []

    async def start(self, progress: Callable[[int], None] | None = None) -> list[Bound]:
        """Build every device and open its listener; on any failure close what was opened.

        ``progress`` is called with the number of devices started so far after each one.
        """
        from agent.family import load_device
        from agent.server.listener import DeviceServer, freeze_startup_heap

        cache = _ProfileCache()
        raise_open_file_limit(sum(_descriptors_needed(cache.for_slot(slot)) for slot in self.slots) + 256)
        snmp_class = _snmp_agent_class() if any(s.snmp for s in self.slots) else None
        try:
            for slot in self.slots:
                device = load_device(cache.for_slot(slot), slot.state_dir, slot.users)
                server = DeviceServer(device, slot.host, slot.port)
                await server.start()
                self.servers.append(server)
                self.devices[slot.name] = device
                snmp_port = None
                if slot.snmp is not None and snmp_class is not None:
                    agent = snmp_class(device, slot.snmp[0], slot.snmp[1], communities=slot.snmp_communities)
                    await agent.start()
                    self.snmp_agents.append(agent)
                    snmp_port = int(getattr(agent, "port", slot.snmp[1]))
                self.bound.append(Bound(slot.name, slot.host, server.port, snmp_port))
                if progress is not None:
                    progress(len(self.bound))
        except BaseException:
            await self.stop()
            raise
        freeze_startup_heap()
        return self.bound

    async def serve(self, ready: Callable[[list[Bound]], None],
                    progress: Callable[[int], None] | None = None) -> None:
        """Start every device, hand the bound addresses to ``ready``, serve until SIGINT/SIGTERM, stop.

        The one lifecycle of a lab process, whether it is the only one or a forked worker.
        """
        stop = asyncio.Event()
        install_stop_signals(stop)
        ready(await self.start(progress))
        try:
            await stop.wait()
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Close every SNMP agent and listener and end every session (idempotent)."""
        for agent in self.snmp_agents:
            try:
                agent.stop()
            except Exception:  # noqa: BLE001 - one agent's failure must not keep others open
                log.exception("stopping an SNMP agent failed")
        self.snmp_agents.clear()
        servers, self.servers = self.servers, []
        await asyncio.gather(*(server.stop() for server in servers), return_exceptions=True)


def _descriptors_needed(profile: Profile) -> int:
    """Open files one device may hold: listener, SNMP socket, its VTY lines and pre-auth connections."""
    limits = profile.ssh.limits
    return 2 + limits.vty_lines + StartupRule.parse(limits.max_startups).full


def _snmp_agent_class() -> Any:
    """The SNMP agent class if agent.snmp.agent is importable (another package provides it)."""
    try:
        from agent.snmp.agent import SnmpAgent
    except ImportError as exc:
        log.warning("--snmp given but the SNMP agent is unavailable (%s); serving SSH only", exc)
        return None
    return SnmpAgent


def _worker_main(slots: list[DeviceSlot], conn: Connection) -> None:
    """Entry point of a forked worker: serve ``slots`` until SIGTERM/SIGINT."""

    started = False

    def ready(bound: list[Bound]) -> None:
        nonlocal started
        started = True
        conn.send(("ok", bound))

    async def run() -> None:
        try:
            await LabRuntime(slots).serve(ready)
        except BaseException as exc:  # noqa: BLE001 - report any start failure to the parent
            if started:
                raise
            conn.send(("error", f"{type(exc).__name__}: {exc}"))

    run_event_loop(run())


class WorkerPool:
    """K forked worker processes, each serving one slice of the lab."""

    def __init__(self, slices: list[list[DeviceSlot]]) -> None:
        self.slices = slices
        self.processes: list[Any] = []

    def start(self, timeout: float = 300.0) -> list[Bound]:
        context = multiprocessing.get_context("fork")
        pipes: list[Connection] = []
        bound: list[Bound] = []
        try:
            for part in self.slices:
                parent_end, child_end = context.Pipe(duplex=False)
                pipes.append(parent_end)
                try:
                    process = context.Process(target=_worker_main, args=(part, child_end), daemon=True)
                    process.start()
                finally:
                    child_end.close()  # the worker has its own copy; the parent only reads
                self.processes.append(process)
            deadline = time.monotonic() + timeout
            for pipe, process in zip(pipes, self.processes, strict=True):
                if not pipe.poll(max(0.0, deadline - time.monotonic())):
                    raise RuntimeError(f"lab worker {process.pid} did not start in {timeout:.0f}s")
                try:
                    status, payload = pipe.recv()
                except EOFError:
                    raise RuntimeError(f"lab worker {process.pid} exited during start") from None
                if status != "ok":
                    raise RuntimeError(f"lab worker {process.pid} failed: {payload}")
                bound.extend(payload)
        except BaseException:
            self.stop()
            raise
        finally:
            # The workers report once; the parent's ends are not read again (a worker that dies
            # later is seen by stop(), not through its pipe).
            for pipe in pipes:
                pipe.close()
        return bound

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every worker, wait, then SIGKILL the ones that did not exit."""
        for process in self.processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1)
        self.processes.clear()
