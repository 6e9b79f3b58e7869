"""The Python API of the controller; the CLI and the Celery workers use the same code.

    from agent.fleet.api import Fleet
    fleet = Fleet.from_file("lab.yaml")
    report = fleet.push(["templates/"], dry_run=False)
    print(report.summary())
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from agent.fleet.inventory import Host, Inventory, load_inventory
from agent.fleet.report import RunReport
from agent.fleet.runner import ProgressCallback, RunOptions, group_limits_from, run_local
from agent.fleet.secrets import Secrets
from agent.fleet.templates import Renderer


class Fleet:
    """Operations over an inventory: push, render, backup, diff, run, facts, compliance."""

    def __init__(
        self,
        inventory: Inventory,
        *,
        options: RunOptions | None = None,
        secrets: Secrets | None = None,
        backend: str = "local",
        broker: str | None = None,
        on_result: ProgressCallback | None = None,
    ) -> None:
        self.inventory = inventory
        self.options = options or RunOptions()
        self.options.group_limits = group_limits_from(inventory.groups, self.options.group_limits)
        self.secrets = secrets or Secrets()
        self.backend = backend
        self.broker = broker
        self.on_result = on_result

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> Fleet:
        return cls(load_inventory(path), **kwargs)

    @property
    def hosts(self) -> list[Host]:
        return list(self.inventory.hosts.values())

    # ------------------------------------------------------------------ plumbing
    def _run(self, operation: str, params: dict[str, dict[str, Any]], dry_run: bool = False) -> RunReport:
        hosts = self.hosts
        started = time.monotonic()
        if self.backend == "celery":
            from agent.fleet.celery_tasks import run_celery

            results = run_celery(operation, hosts, params, self.options, self.broker, self.on_result)
        elif self.backend == "local":
            passwords = {h.name: self.secrets.password_for(h) for h in hosts}
            results = run_local(operation, hosts, passwords, params, self.options, self.on_result)
        else:
            raise ConfigError(f"unknown backend {self.backend!r} (local or celery)")
        return RunReport(operation, results, time.monotonic() - started, dry_run)

    def render(self, templates: Sequence[str | Path], extra_vars: dict[str, Any] | None = None) -> dict[str, str]:
        """Each host's intended configuration (no connection is made)."""
        renderer = Renderer(templates, extra_vars)
        return {h.name: renderer.render(h, i) for i, h in enumerate(self.hosts)}

    # ------------------------------------------------------------------ operations
    def push(
        self,
        templates: Sequence[str | Path],
        *,
        replace: bool = False,
        dry_run: bool = False,
        extra_vars: dict[str, Any] | None = None,
        save_when: str = "modified",
    ) -> RunReport:
        """Render, diff against running, apply only changes, verify, save per ``save_when``.

        ``save_when``: ``modified`` (save when running and saved configuration differ after the
        push), ``changed`` (only when lines were sent), ``always`` or ``never``.
        """
        from agent.fleet.operations import SAVE_WHEN

        if save_when not in SAVE_WHEN:
            raise ConfigError(f"save_when must be one of {', '.join(SAVE_WHEN)}, not {save_when!r}")
        intents = self.render(templates, extra_vars)
        params = {name: {"intent": text, "replace": replace, "dry_run": dry_run, "save_when": save_when}
                  for name, text in intents.items()}
        return self._run("push", params, dry_run)

    def backup(self, directory: str | Path) -> RunReport:
        """``display current-configuration`` of every device to ``DIR/<name>.cfg``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        params = {}
        for h in self.hosts:
            path = directory / f"{h.name}.cfg"
            params[h.name] = {"previous": path.read_text(encoding="utf-8")} if path.is_file() else {}
        report = self._run("backup", params)
        for result in report.results:
            if result.ok and "config" in result.detail:
                (directory / f"{result.name}.cfg").write_text(result.detail["config"], encoding="utf-8")
        return report

    def diff(
        self,
        *,
        backup_dir: str | Path | None = None,
        templates: Sequence[str | Path] | None = None,
        replace: bool = False,
        extra_vars: dict[str, Any] | None = None,
        saved: bool = False,
    ) -> RunReport:
        """Running versus the backup in ``backup_dir``, the rendered ``templates``, or (``saved``)
        the device's own saved configuration: what a reboot would lose."""
        params: dict[str, dict[str, Any]] = {}
        if saved:
            return self._run("saved-diff", {})
        if backup_dir is not None:
            for h in self.hosts:
                path = Path(backup_dir) / f"{h.name}.cfg"
                if not path.is_file():
                    raise ConfigError(f"{path}: no backup for {h.name}; run `fleet backup` first")
                params[h.name] = {"backup": path.read_text(encoding="utf-8")}
        elif templates is not None:
            params = {n: {"intent": t, "replace": replace} for n, t in self.render(templates, extra_vars).items()}
        else:
            raise ConfigError("diff needs a backup folder or templates")
        return self._run("diff", params)

    def run(self, command: str) -> RunReport:
        return self._run("run", {h.name: {"command": command} for h in self.hosts})

    def facts(self) -> RunReport:
        return self._run("facts", {})

    def compliance(self, rules_file: str | Path) -> RunReport:
        from agent.fleet.compliance import load_rules

        rules = load_rules(rules_file)
        return self._run("compliance", {h.name: {"rules": rules} for h in self.hosts})

