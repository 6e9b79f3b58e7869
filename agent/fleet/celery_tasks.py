"""Run the per-device fleet operation on Celery workers (``--backend celery --broker URL``).

One task per device, routed to a queue per site (``site.<data.site>``, so workers started
inside a site with ``-Q site.<name>`` reach only their own switches), ``acks_late`` off and
``worker_prefetch_multiplier=1`` because pushes are long and brokers may re-deliver; a
re-delivered push is harmless since push is idempotent (it diffs against the running config).

The task gets the host (without password) and plain-data parameters (rendered intent, command,
rules); the worker resolves the password from its own environment (``SWITCH_AGENT_PASSWORD`` or
the host's ``password_env``), so secrets never travel through the broker.

Worker:  SWITCH_AGENT_BROKER=redis://broker:6379/0 celery -A agent.fleet.celery_tasks worker -Q site.lab -c 50 --pool threads
(a Redis broker also stores the results; with AMQP the results come back as RPC replies).
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery import Celery

from agent.fleet.inventory import Host
from agent.fleet.report import DeviceResult
from agent.fleet.runner import ProgressCallback, RunOptions, execute
from agent.fleet.transport import ConnectSettings


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
    task_acks_late=False,
    task_default_queue="site.default",
)


def queue_for(host: Host) -> str:
    return f"site.{host.data.get('site', 'default')}"


@app.task(name="switch_agent.fleet.device", soft_time_limit=600, time_limit=660)
def device_task(operation: str, host: dict[str, Any], params: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The same per-device call the local runner makes, on a worker."""
    from agent.fleet.secrets import Secrets

    h = Host.from_dict(host)
    run_options = RunOptions(
        retries=int(options.get("retries", 2)), backoff=float(options.get("backoff", 0.5)),
        settings=ConnectSettings(timeout=float(options.get("timeout", 20.0)), fast=bool(options.get("fast", True))),
    )
    try:
        password = Secrets(interactive=False).password_for(h)
    except Exception as exc:  # noqa: BLE001 - a worker without the secret reports, it does not crash
        return DeviceResult(h.name, h.hostname, h.port, "failed", False, "authentication", str(exc)).to_dict()
    return execute(operation, h, password, params, run_options).to_dict()


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
        app.conf.broker_url = broker
        if "SWITCH_AGENT_RESULT_BACKEND" not in os.environ:
            app.conf.result_backend = result_backend_for(broker)
    opts = {"retries": options.retries, "backoff": options.backoff, "timeout": options.settings.timeout,
            "fast": options.settings.fast}
    pending = {
        h.name: device_task.apply_async(args=(operation, h.to_dict(), params.get(h.name, {}), opts), queue=queue_for(h))
        for h in hosts
    }
    results: dict[str, DeviceResult] = {}
    deadline = time.monotonic() + options.settings.timeout * 10 + 60
    by_name = {h.name: h for h in hosts}
    while pending and time.monotonic() < deadline:
        for name, async_result in list(pending.items()):
            if async_result.ready():
                try:
                    result = DeviceResult.from_dict(async_result.get(propagate=True))
                except Exception as exc:  # noqa: BLE001 - a lost worker is a failed device
                    h = by_name[name]
                    result = DeviceResult(h.name, h.hostname, h.port, "failed", False, "other", f"worker: {exc}")
                results[name] = result
                del pending[name]
                if on_result is not None:
                    on_result(result)
        time.sleep(0.05)
    for name in pending:
        h = by_name[name]
        results[name] = DeviceResult(h.name, h.hostname, h.port, "failed", False, "timeout", "no result from a worker")
    return [results[h.name] for h in hosts]
