"""Who may open a connection, decided when it is accepted: the pre-authentication limits.

A connection that has not logged in yet costs a file descriptor and a slot for up to the login
grace time, and costs its client nothing, so a flood of them (silent, version-only, or a byte a
second) used to lock every legitimate login out. The rules follow OpenSSH's:

* ``MaxStartups start:rate:full`` per device and for the whole process: from ``start``
  unauthenticated connections on, a new one is dropped with probability ``rate``% rising
  linearly to 100% at ``full`` (random early drop: a flood cannot predict which get through);
* ``PerSourceMaxStartups``: at most that many unauthenticated connections from one address
  per device, so one hostile host cannot take the device's slots from everybody else;
* ``PerSourcePenalties``: a source whose connections end in failed logins accumulates penalty
  seconds (decaying in real time); above the threshold its new connections are refused until
  the penalty has run down, which slows password guessing from that source to a crawl;
* a reserve of file descriptors: the process never accepts so many connections that it could
  no longer accept (asyncio stops accepting for a second on ``EMFILE``) or open its files.

The numbers are profile settings (``ssh.limits``); this module only counts and decides, the
connection driver (:mod:`agent.server.driver`) asks it.
"""

from __future__ import annotations

import os
import random
import resource
import time
from collections.abc import Callable

from agent.profiles.startups import StartupRule


class Penalties:
    """PerSourcePenalties: penalty seconds per source address that run down in real time.

    A source is refused once its penalty reaches ``threshold`` and stays refused until the
    penalty has run down to zero (so a guesser waits the whole penalty, not just the excess).
    """

    def __init__(self, per_failure: float, threshold: float, maximum: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_failure = per_failure
        self.threshold = threshold
        self.maximum = maximum
        self.clock = clock
        self._until: dict[str, float] = {}  # source -> when its penalty has run down to zero
        self._blocked: set[str] = set()

    def penalize(self, source: str, failures: int = 1) -> None:
        if self.per_failure <= 0 or failures <= 0:
            return
        now = self.clock()
        until = min(max(self._until.get(source, now), now) + self.per_failure * failures, now + self.maximum)
        self._until[source] = until
        if until - now >= self.threshold:
            self._blocked.add(source)
        if len(self._until) > 4096:
            for old in [s for s, t in self._until.items() if t <= now]:
                del self._until[old]
                self._blocked.discard(old)

    def blocked_for(self, source: str) -> float:
        """Seconds this source stays refused (0 when it may connect)."""
        if source not in self._blocked:
            return 0.0
        left = self._until[source] - self.clock()
        if left <= 0:
            del self._until[source]
            self._blocked.discard(source)
            return 0.0
        return left


class DeviceAdmission:
    """The pre-auth accounting of one device: unauthenticated connections in all and per source."""

    def __init__(self, rule: StartupRule, per_source: int, penalties: Penalties, chance: Callable[[], float] = random.random) -> None:
        self.rule = rule
        self.per_source = per_source
        self.penalties = penalties
        self.chance = chance
        self.unauthenticated = 0
        self._by_source: dict[str, int] = {}
        self.dropped = 0

    def refuse_reason(self, source: str) -> str | None:
        """Why a new connection from ``source`` is refused, or None to admit it (then :meth:`opened`)."""
        blocked = self.penalties.blocked_for(source)
        if blocked:
            return f"source penalized for failed logins ({blocked:.0f}s left)"
        if self.per_source and self._by_source.get(source, 0) >= self.per_source:
            return f"too many unauthenticated connections from this source ({self.per_source})"
        if self.rule.drop(self.unauthenticated, self.chance):
            return f"max-startups: {self.unauthenticated} unauthenticated connections"
        return None

    def opened(self, source: str) -> None:
        self.unauthenticated += 1
        self._by_source[source] = self._by_source.get(source, 0) + 1

    def left_preauth(self, source: str) -> None:
        """The connection logged in or closed before it did."""
        self.unauthenticated -= 1
        left = self._by_source.get(source, 0) - 1
        if left > 0:
            self._by_source[source] = left
        else:
            self._by_source.pop(source, None)


class ProcessAdmission:
    """Process-wide counts: unauthenticated connections over all devices, and descriptors in use."""

    def __init__(self, rule: StartupRule, fd_reserve: int, chance: Callable[[], float] = random.random) -> None:
        self.rule = rule
        self.fd_reserve = fd_reserve
        self.chance = chance
        self.unauthenticated = 0
        self.connections = 0
        self._baseline = _open_descriptors()

    @property
    def fd_budget(self) -> int:
        """Connections the process may hold: the open-file limit less the reserve and what was open at start."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return soft - self.fd_reserve - self._baseline

    def refuse_reason(self) -> str | None:
        if self.connections >= self.fd_budget:
            return f"file descriptor reserve reached ({self.connections} connections)"
        if self.rule.drop(self.unauthenticated, self.chance):
            return f"process max-startups: {self.unauthenticated} unauthenticated connections"
        return None


def _open_descriptors() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 64


_PROCESS: ProcessAdmission | None = None


def process_admission(rule: StartupRule, fd_reserve: int) -> ProcessAdmission:
    """The process's one :class:`ProcessAdmission` (made by the first device server that starts)."""
    global _PROCESS
    if _PROCESS is None:
        _PROCESS = ProcessAdmission(rule, fd_reserve)
    return _PROCESS


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` (up to the hard limit); return the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft
