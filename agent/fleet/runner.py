"""Run one operation across many devices: bounded concurrency, per-group limits, retries.

Threads, not processes: each device spends its time waiting on the network (and paramiko's
crypto releases the GIL in OpenSSL), netmiko is thread-safe with one connection per thread,
and a thread pool bounded per run keeps a real site's AAA servers from being flooded. Groups
can carry their own bound (``data: {max_concurrency: 5}`` on an inventory group, or
``--group-limit NAME=N``), enforced with one semaphore per group. A device's failure is caught,
classified and recorded; it never stops the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import tenacity

from agent.fleet.errors import RETRYABLE, classify, short_message
from agent.fleet.inventory import Host
from agent.fleet.operations import OPERATIONS
from agent.fleet.report import DeviceResult
from agent.fleet.transport import ConnectSettings, connect

ProgressCallback = Callable[[DeviceResult], None]


@dataclass
class RunOptions:
    concurrency: int = 50
    group_limits: dict[str, int] = field(default_factory=dict)
    retries: int = 2
    backoff: float = 0.5
    settings: ConnectSettings = field(default_factory=ConnectSettings)


class _Retryable(Exception):
    """A failure whose class is worth another attempt (unreachable, timeout): tenacity retries it."""


def execute(operation: str, host: Host, password: str, params: dict[str, Any], options: RunOptions) -> DeviceResult:
    """Connect, run ``operation`` and close, retrying unreachable/timeout failures with backoff.

    tenacity does the retrying: ``options.retries`` more attempts, waiting ``backoff``, then twice
    that, and so on. Every attempt's failure is classified into ``result``; the last one stays.
    """
    result = DeviceResult(host.name, host.hostname, host.port)
    started = time.monotonic()
    func = OPERATIONS[operation]
    sent = False  # configuration lines went out in some attempt (honest "changed")
    tries = 0
    if operation == "compliance":
        params = {**params, "address": (host.hostname, host.port)}

    def attempt() -> None:
        nonlocal sent, tries
        tries += 1
        conn = None
        try:
            conn = connect(host, password, options.settings)
            result.protocol = conn.protocol
            changed, result.detail = func(conn, params)
            result.changed = changed or sent
            result.status, result.error_class, result.error = "ok", None, None
        except Exception as exc:  # noqa: BLE001 - every failure is classified into the report
            sent = sent or bool(getattr(conn, "config_sent", False))
            result.status, result.changed = "failed", sent
            result.error_class, result.error = classify(exc), short_message(exc)
            findings = getattr(exc, "findings", None)
            if findings is not None:
                result.detail = {"findings": findings}
            if result.error_class in RETRYABLE:
                raise _Retryable from exc
        finally:
            if conn is not None:
                conn.close()

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(options.retries + 1),
        wait=tenacity.wait_exponential(multiplier=options.backoff, min=0, max=60),
        retry=tenacity.retry_if_exception_type(_Retryable),
        sleep=time.sleep, reraise=False,
    )
    try:
        retrying(attempt)
    except tenacity.RetryError:
        pass  # the last attempt's failure is already in ``result``
    if operation == "push":
        result.saved = bool(result.ok and result.detail.get("saved"))
        result.unsaved_before = result.detail.get("unsaved_before") if result.ok else None
        result.unconfirmed = not result.ok and sent
        if result.unconfirmed:
            result.error = f"{result.error} (configuration was sent but not confirmed; run the push again)"
    result.attempts = tries
    result.seconds = time.monotonic() - started
    return result


class GroupLimiter:
    """One semaphore per limited group; acquired in name order so two groups never deadlock."""

    def __init__(self, limits: dict[str, int]) -> None:
        self._sems = {name: threading.BoundedSemaphore(max(1, n)) for name, n in limits.items()}

    def acquire(self, host: Host) -> list[threading.BoundedSemaphore]:
        held = []
        for name in sorted(set(host.groups) & set(self._sems)):
            self._sems[name].acquire()
            held.append(self._sems[name])
        return held

    @staticmethod
    def release(held: list[threading.BoundedSemaphore]) -> None:
        for sem in reversed(held):
            sem.release()


def group_limits_from(groups: dict[str, Any], overrides: dict[str, int]) -> dict[str, int]:
    limits = {}
    for name, group in groups.items():
        value = group.data.get("max_concurrency") if hasattr(group, "data") else None
        if isinstance(value, int) and value > 0:
            limits[name] = value
    limits.update(overrides)
    return limits


def run_local(
    operation: str,
    hosts: list[Host],
    passwords: dict[str, str],
    params: dict[str, dict[str, Any]],
    options: RunOptions,
    on_result: ProgressCallback | None = None,
) -> list[DeviceResult]:
    """Run on a thread pool; results come back in inventory order."""
    limiter = GroupLimiter(options.group_limits)

    def one(host: Host) -> DeviceResult:
        held = limiter.acquire(host)
        try:
            return execute(operation, host, passwords[host.name], params.get(host.name, {}), options)
        finally:
            limiter.release(held)

    results: dict[str, DeviceResult] = {}
    workers = max(1, min(options.concurrency, len(hosts)))

    def collect(future: Future[DeviceResult], host: Host) -> None:
        if future.cancelled():
            result = DeviceResult(host.name, host.hostname, host.port, "failed", False, "cancelled",
                                  "not started: the run was interrupted")
        else:
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - defensive: execute() already catches
                result = DeviceResult(host.name, host.hostname, host.port, "failed", False,
                                      classify(exc), short_message(exc))
        results[host.name] = result
        if on_result is not None:
            on_result(result)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fleet")
    futures = {pool.submit(one, host): host for host in hosts}
    try:
        for future in as_completed(futures):
            collect(future, futures[future])
    except KeyboardInterrupt:
        # Ctrl+C: devices not started yet are left alone; devices in the middle of a push
        # finish it (stopping half-way through a configuration would be worse).
        pool.shutdown(wait=True, cancel_futures=True)
        for future, host in futures.items():
            if host.name not in results:
                collect(future, host)
    finally:
        pool.shutdown(wait=True)
    return [results[h.name] for h in hosts]
