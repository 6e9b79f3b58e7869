"""One push per device at a time, across every Celery worker: a lock kept by the broker.

Late acknowledgement makes a broker hand a task to another worker when the first one dies
(RabbitMQ at once, Redis after the visibility timeout) and, with Redis, also when a task simply
runs longer than that timeout. Push is idempotent, so running a task twice is harmless, but
never at the same time on one device: two sessions configuring one switch interleave their
lines. So each task holds its device's lock from connect to close, in the broker itself:

* Redis (``redis://``): a redis-py ``Lock`` with a short expiry, renewed by a thread while the
  task runs; a worker killed with SIGKILL stops renewing and the lock frees itself within
  ``ttl`` seconds.
* AMQP (``amqp://``, RabbitMQ): an *exclusive* queue named after the device, declared on a
  connection of the task's own. RabbitMQ lets only one connection hold it (another declaration
  fails with ``RESOURCE_LOCKED``) and deletes it the moment that connection closes, so a dead
  worker frees it at once.
* Anything else (``memory://`` in eager tests): a lock in this process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from agent.fleet.errors import TIMEOUT, FleetError

LOCK_TTL = 15.0  # seconds a dead holder keeps a Redis lock
_PREFIX = "switch-agent.device-lock."


class DeviceBusy(FleetError):
    def __init__(self, name: str, waited: float) -> None:
        super().__init__(TIMEOUT, f"another task held {name}'s lock for {waited:.0f}s; not pushed twice at once")


@contextmanager
def _redis_lock(url: str, name: str, wait: float) -> Iterator[None]:
    import redis

    client = redis.Redis.from_url(url)
    lock = client.lock(_PREFIX + name, timeout=LOCK_TTL, sleep=0.1, blocking_timeout=wait)
    if not lock.acquire():
        client.close()
        raise DeviceBusy(name, wait)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LOCK_TTL / 3):
            try:
                lock.reacquire()
            except Exception:  # noqa: BLE001 - lost lock or broker: the task goes on; the broker says the rest
                return

    renewer = threading.Thread(target=renew, name=f"lock-{name}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - expired meanwhile: nothing left to release
            pass
        client.close()


@contextmanager
def _amqp_lock(url: str, name: str, wait: float) -> Iterator[None]:
    from amqp.exceptions import ResourceLocked
    from kombu import Connection, Queue

    connection = Connection(url, heartbeat=10)
    deadline = time.monotonic() + wait
    try:
        while True:
            channel = connection.channel()
            try:
                Queue(_PREFIX + name, exclusive=True, auto_delete=True, channel=channel).declare()
                break
            except ResourceLocked:
                try:
                    channel.close()
                except Exception:  # noqa: BLE001 - the broker closed the channel already
                    pass
                if time.monotonic() > deadline:
                    raise DeviceBusy(name, wait) from None
                time.sleep(0.1)
        yield
    finally:
        connection.release()  # closing the connection deletes the exclusive queue: the lock is free


_LOCAL: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


@contextmanager
def _local_lock(url: str, name: str, wait: float) -> Iterator[None]:
    with _LOCAL_GUARD:
        lock = _LOCAL.setdefault(name, threading.Lock())
    if not lock.acquire(timeout=wait):
        raise DeviceBusy(name, wait)
    try:
        yield
    finally:
        lock.release()


_BY_SCHEME: dict[str, Callable[[str, str, float], object]] = {
    "redis": _redis_lock, "rediss": _redis_lock,
    "amqp": _amqp_lock, "amqps": _amqp_lock, "pyamqp": _amqp_lock,
}


def device_lock(broker_url: str, name: str, wait: float = 600.0):  # type: ignore[no-untyped-def]
    """A context manager holding ``name``'s lock in the broker at ``broker_url``; waits up to ``wait`` s."""
    scheme = broker_url.split("://", 1)[0].lower()
    return _BY_SCHEME.get(scheme, _local_lock)(broker_url, name, wait)
