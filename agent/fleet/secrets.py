"""Where passwords come from: the environment, or a prompt on a terminal. Never a file we write.

Order per host: ``password`` written in the inventory by the user (discouraged, accepted), the
variable named by the host's ``password_env`` (e.g. ``SITE_A_PASSWORD``), then
``SWITCH_AGENT_PASSWORD``, then one ``getpass`` prompt per distinct source when stdin is a TTY.
Resolved passwords live in memory only.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
from collections.abc import Callable, Mapping

from agent.errors import ConfigError
from agent.fleet.inventory import Host

DEFAULT_ENV = "SWITCH_AGENT_PASSWORD"


class Secrets:
    """Password resolver with a per-run cache (one prompt per variable name, not per host)."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        prompt: Callable[[str], str] | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self._prompt = prompt or getpass.getpass
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def password_for(self, host: Host) -> str:
        if host.password is not None:
            return host.password
        names = [n for n in (host.password_env, DEFAULT_ENV) if n]
        for name in names:
            value = self.environ.get(name)
            if value is not None:
                return value
        key = names[0]
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            if not self.interactive:
                raise ConfigError(
                    f"no password for {host.name}: set {' or '.join(dict.fromkeys(names))} in the environment"
                )
            value = self._prompt(f"Password for {host.username} ({key}): ")
            self._cache[key] = value
            return value

    def preload(self, hosts: list[Host]) -> None:
        """Ask every prompt before the run starts, so progress output is not interleaved with it."""
        for host in hosts:
            self.password_for(host)
