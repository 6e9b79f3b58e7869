"""Run the per-device fleet operation on Celery workers (``--backend celery --broker URL``).

One task per device, routed to a queue per site (``site.<data.site>``, so workers started
inside a site with ``--queues site.<name>`` reach only their own switches).

Surviving a dying worker:

* Late acknowledgement (``task_acks_late``, ``task_reject_on_worker_lost``) and
  ``worker_prefetch_multiplier=1``: a task is acknowledged only once it has run, so the broker
  hands the tasks of a worker that died (SIGKILL, power cut) to another one: RabbitMQ as soon as
  the dead worker's connection drops, Redis once the visibility timeout (``VISIBILITY_TIMEOUT``,
  20 s; ``SWITCH_AGENT_VISIBILITY_TIMEOUT``) has passed since delivery, checked every 2 s.
  Running a push again is safe because push is idempotent (it diffs against the running
  configuration and saves when running and saved differ).
* Never two tasks on one device at once: each task holds its device's lock in the broker
  (:mod:`agent.fleet.devicelock`) from connect to close.
* The controller watches the workers (``inspect().active_queues()`` every 2 s): it says when a
  worker disappears; after a loss, devices still pending while every living worker is idle are
  sent again once (a message a dying worker had taken but not yet recorded is gone for good);
  devices whose queue has had no worker for ``LOST_AFTER`` seconds, or
  whose task was running on a lost worker and has not started again elsewhere while the run
  made no progress for ``LOST_AFTER`` + the visibility timeout, are reported with class
  ``worker lost``. There is no fixed run-wide wait.

The task gets the host (without password) and plain-data parameters (rendered intent, command,
rules); the worker resolves the password from its own environment (``SWITCH_AGENT_PASSWORD`` or
the host's ``password_env``), so secrets never travel through the broker. Start workers with
``switch-agent worker --broker URL --queues site.a,site.b`` (:func:`worker_main`).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from celery import Celery

from agent.fleet.devicelock import device_lock
from agent.fleet.errors import WORKER_LOST
from agent.fleet.inventory import Host
from agent.fleet.report import DeviceResult
from agent.fleet.runner import ProgressCallback, RunOptions, execute
from agent.fleet.transport import ConnectSettings

VISIBILITY_TIMEOUT = float(os.environ.get("SWITCH_AGENT_VISIBILITY_TIMEOUT", "20"))
LOST_AFTER = 20.0  # seconds without a worker for a queue before its devices are "worker lost"
POLL = 2.0  # seconds between looks at the workers


def result_backend_for(broker: str) -> str:
    """Where workers put results: the Redis broker itself, RPC replies over AMQP, memory for tests."""
    if broker.startswith(("redis://", "rediss://")):
        return broker
    if broker.startswith(("amqp://", "amqps://", "pyamqp://")):
        return "rpc://"
    return "cache+memory://"


_BROKER = os.environ.get("SWITCH_AGENT_BROKER", "memory://")
app = Celery("switch_agent_fleet")
app.conf.update(
    broker_url=_BROKER,
    result_backend=os.environ.get("SWITCH_AGENT_RESULT_BACKEND", result_backend_for(_BROKER)),
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_acks_on_failure_or_timeout=True,
    task_track_started=True,
    task_default_queue="site.default",
    broker_heartbeat=10,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT, "unacked_restore_interval": 2,
                              "unacked_restore_throttle": 1},
    result_expires=3600,
    worker_hijack_root_logger=False,
)


def configure(broker: str) -> None:
    """Point the app (controller or worker) at ``broker``; results go where :func:`result_backend_for` says."""
    app.conf.broker_url = broker
    if "SWITCH_AGENT_RESULT_BACKEND" not in os.environ:
        app.conf.result_backend = result_backend_for(broker)


def queue_for(host: Host) -> str:
    return f"site.{host.data.get('site', 'default')}"


@app.task(name="switch_agent.fleet.device", soft_time_limit=600, time_limit=660)
def device_task(operation: str, host: dict[str, Any], params: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The same per-device call the local runner makes, on a worker, holding the device's lock."""
    from agent.fleet.secrets import Secrets

    h = Host.from_dict(host)
    run_options = RunOptions(
        retries=int(options.get("retries", 2)), backoff=float(options.get("backoff", 0.5)),
        settings=ConnectSettings.from_dict(options),  # known_hosts: the worker's own file
    )
    try:
        password = Secrets(interactive=False).password_for(h)
    except Exception as exc:  # noqa: BLE001 - a worker without the secret reports, it does not crash
        return DeviceResult(h.name, h.hostname, h.port, "failed", False, "authentication", str(exc)).to_dict()
    try:
        with device_lock(str(app.conf.broker_url), f"{h.hostname}:{h.port}"):
            return execute(operation, h, password, params, run_options).to_dict()
    except Exception as exc:  # noqa: BLE001 - the lock's own failure (busy, broker gone) is this device's result
        from agent.fleet.errors import classify, short_message

        return DeviceResult(h.name, h.hostname, h.port, "failed", False, classify(exc), short_message(exc)).to_dict()


@dataclass
class _Watch:
    """What the controller knows of the workers: who consumes which queue, who was lost when."""

    queues: dict[str, set[str]] = field(default_factory=dict)  # worker -> queues
    lost: dict[str, float] = field(default_factory=dict)  # worker -> when it was noticed missing
    missing: dict[str, int] = field(default_factory=dict)  # worker -> consecutive missed looks
    uncovered_since: dict[str, float] = field(default_factory=dict)  # queue -> since when no worker
    idle_looks: int = 0  # consecutive looks, after a loss, at which every living worker was idle

    def look(self, now: float) -> list[str]:
        """Ask the workers; returns the workers newly noticed as lost."""
        try:
            replies = app.control.inspect(timeout=1.0).active_queues() or {}
        except Exception:  # noqa: BLE001 - broker hiccup: no news this time
            return []
        newly = []
        for worker, queues in replies.items():
            self.queues[worker] = {q.get("name", "") for q in queues or []}
            self.missing.pop(worker, None)
            self.lost.pop(worker, None)
        for worker in list(self.queues):
            if worker in replies:
                continue
            self.missing[worker] = self.missing.get(worker, 0) + 1
            if self.missing[worker] >= 2 and worker not in self.lost:
                self.lost[worker] = now
                newly.append(worker)
        return newly

    def alive(self) -> dict[str, set[str]]:
        return {w: q for w, q in self.queues.items() if w not in self.lost}

    def covered(self, queue: str) -> bool:
        return any(queue in q for q in self.alive().values())

    def idle(self) -> bool:
        """Every living worker answered and neither runs nor holds a task."""
        try:
            inspect = app.control.inspect(timeout=1.0)
            active, reserved = inspect.active() or {}, inspect.reserved() or {}
        except Exception:  # noqa: BLE001 - broker hiccup: not known to be idle
            return False
        alive = self.alive()
        if not alive or set(alive) - set(active):
            return False
        return not any(active.get(w) or reserved.get(w) for w in alive)


def _started_on(async_result: Any) -> str | None:
    """The worker a task runs on, when it has started (``task_track_started``)."""
    try:
        if async_result.state == "STARTED" and isinstance(async_result.info, dict):
            return str(async_result.info.get("hostname") or "") or None
    except Exception:  # noqa: BLE001 - result store hiccup
        return None
    return None


def run_celery(
    operation: str,
    hosts: list[Host],
    params: dict[str, dict[str, Any]],
    options: RunOptions,
    broker: str | None,
    on_result: ProgressCallback | None = None,
) -> list[DeviceResult]:
    """Send one task per device to its site queue and gather the results in inventory order."""
    if broker:
        configure(broker)
    opts = {"retries": options.retries, "backoff": options.backoff, **options.settings.to_dict()}
    by_name = {h.name: h for h in hosts}

    def send(h: Host) -> Any:
        return device_task.apply_async(args=(operation, h.to_dict(), params.get(h.name, {}), opts), queue=queue_for(h))

    pending = {h.name: send(h) for h in hosts}
    resent: set[str] = set()
    results: dict[str, DeviceResult] = {}
    running_on: dict[str, str] = {}  # device -> worker it was last seen running on
    watch = _Watch()
    next_look = last_progress = time.monotonic()

    def finish(name: str, result: DeviceResult) -> None:
        nonlocal last_progress
        last_progress = time.monotonic()
        results[name] = result
        del pending[name]
        running_on.pop(name, None)
        if on_result is not None:
            on_result(result)

    def lost(name: str, why: str) -> None:
        h = by_name[name]
        finish(name, DeviceResult(h.name, h.hostname, h.port, "failed", False, WORKER_LOST, why))

    while pending:
        for name, async_result in list(pending.items()):
            if async_result.ready():
                try:
                    result = DeviceResult.from_dict(async_result.get(propagate=True))
                except Exception as exc:  # noqa: BLE001 - the task itself failed on the worker
                    h = by_name[name]
                    result = DeviceResult(h.name, h.hostname, h.port, "failed", False, "other", f"worker: {exc}")
                finish(name, result)
        now = time.monotonic()
        if pending and now >= next_look:
            next_look = now + POLL
            for worker in watch.look(now):
                print(f"fleet: worker {worker} lost; its devices go to another worker", file=sys.stderr)
            for name, async_result in list(pending.items()):
                started_on = _started_on(async_result)
                if started_on:
                    running_on[name] = started_on
                queue = queue_for(by_name[name])
                if watch.covered(queue):
                    watch.uncovered_since.pop(queue, None)
                else:
                    since = watch.uncovered_since.setdefault(queue, now)
                    if now - since >= LOST_AFTER:
                        lost(name, f"no worker has consumed {queue} for {now - since:.0f}s")
                        continue
                on = running_on.get(name)
                # Redelivered tasks may wait behind others: only a run that stopped moving gives up.
                if on in watch.lost and now - max(watch.lost[on], last_progress) >= LOST_AFTER + VISIBILITY_TIMEOUT:
                    lost(name, f"its worker {on} was lost and no other worker took the device over")
            # A worker killed between taking a message and recording it (Redis: BRPOP, then the
            # unacked bookkeeping) loses that message for good. After a loss, when every living
            # worker sits idle while devices are still pending, send those tasks again (once):
            # push is idempotent and the device lock keeps a late redelivery from overlapping.
            if watch.lost and pending:
                watch.idle_looks = watch.idle_looks + 1 if watch.idle() else 0
                if watch.idle_looks >= 2:
                    watch.idle_looks = 0
                    for name in [n for n in pending if n not in resent]:
                        print(f"fleet: {name} pending on idle workers after a worker loss; sent again",
                              file=sys.stderr)
                        resent.add(name)
                        pending[name] = send(by_name[name])
        time.sleep(0.05)
    return [results[h.name] for h in hosts]


def worker_main(broker: str, queues: list[str], concurrency: int = 50, name: str | None = None,
                loglevel: str = "INFO") -> None:
    """``switch-agent worker``: a Celery worker with the settings above, threads pool, given queues."""
    configure(broker)
    argv = ["worker", "--pool", "threads", "-c", str(max(1, concurrency)), "-Q", ",".join(queues),
            "--loglevel", loglevel, "-n", name or f"switch-agent-{os.getpid()}@%h", "--without-mingle",
            "--without-gossip"]
    app.worker_main(argv)
