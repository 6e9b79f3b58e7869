"""The controller's operations as Nornir tasks: push, diff, backup and compliance inside a Nornir run.

Nornir users keep their inventory, filters, runner and result handling, and get this
controller's diff engine (only missing lines sent, verify, ``save_when``), host-key checking and
SSH1 support per host::

    from nornir import InitNornir
    from agent.fleet.nornir import push
    nr = InitNornir(inventory={"plugin": "SimpleInventory", "options": {...}})
    result = nr.run(task=push, templates=["templates/"], save_when="modified")

Each task renders and connects for its own host with the same code as ``switch-agent fleet``
(``agent.fleet.runner.execute``); the Nornir host's password (or ``SWITCH_AGENT_PASSWORD``) is
used, and ``connection_options.netmiko`` (hostname, port, username, platform, extras) applies
as Nornir's own netmiko plugin would apply it. A device failure fails the Nornir result with
the controller's error class in its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nornir.core.inventory import Host as NornirHost
from nornir.core.task import Result, Task

from agent.fleet.compliance import load_rules
from agent.fleet.inventory import Host
from agent.fleet.runner import RunOptions, execute
from agent.fleet.secrets import Secrets
from agent.fleet.templates import Renderer
from agent.fleet.transport import ConnectSettings

__all__ = ["backup", "compliance", "diff", "push", "to_host"]


def to_host(nornir_host: NornirHost) -> Host:
    """Our resolved host from a Nornir host (its groups and defaults already applied by Nornir)."""
    options = nornir_host.get_connection_parameters("netmiko")
    data = dict(nornir_host.items())  # data with Nornir's inheritance
    return Host(
        name=nornir_host.name,
        hostname=options.hostname or nornir_host.name,
        port=options.port or 22,
        username=options.username or "",
        platform=options.platform or "hp_comware",
        groups=[g.name for g in nornir_host.groups],
        data=data,
        password=options.password,
        connection_options={"netmiko": {"extras": dict(options.extras or {})}},
    )


def _execute(task: Task, operation: str, params: dict[str, Any], settings: ConnectSettings | None,
             retries: int) -> Result:
    host = to_host(task.host)
    password = host.password or Secrets(interactive=False).password_for(host)
    outcome = execute(operation, host, password, params, RunOptions(retries=retries, settings=settings or ConnectSettings()))
    detail = dict(outcome.detail)
    detail.update(status=outcome.status, error_class=outcome.error_class, protocol=outcome.protocol)
    if operation == "push":
        detail.update(saved=outcome.saved, unsaved_before=outcome.unsaved_before)
    return Result(host=task.host, result=detail, changed=outcome.changed, failed=not outcome.ok,
                  exception=None if outcome.ok else RuntimeError(f"{outcome.error_class}: {outcome.error}"),
                  diff=str(detail.get("script") or detail.get("delta") or ""))


def _intent(task: Task, templates: Sequence[str | Path], extra_vars: dict[str, Any] | None) -> str:
    hosts = list(task.nornir.inventory.hosts)
    return Renderer(templates, extra_vars).render(to_host(task.host), hosts.index(task.host.name))


def push(task: Task, templates: Sequence[str | Path], *, replace: bool = False, dry_run: bool = False,
         save_when: str = "modified", extra_vars: dict[str, Any] | None = None,
         settings: ConnectSettings | None = None, retries: int = 1) -> Result:
    """Render ``templates`` for this host, send only what is missing, verify, save per ``save_when``."""
    params = {"intent": _intent(task, templates, extra_vars), "replace": replace, "dry_run": dry_run,
              "save_when": save_when}
    return _execute(task, "push", params, settings, retries)


def diff(task: Task, templates: Sequence[str | Path], *, replace: bool = False,
         extra_vars: dict[str, Any] | None = None, settings: ConnectSettings | None = None,
         retries: int = 1) -> Result:
    """What a push would send to this host (nothing is changed)."""
    params = {"intent": _intent(task, templates, extra_vars), "replace": replace}
    return _execute(task, "diff", params, settings, retries)


def backup(task: Task, directory: str | Path, *, settings: ConnectSettings | None = None, retries: int = 1) -> Result:
    """``display current-configuration`` of this host to ``DIR/<name>.cfg``; changed when it differs."""
    path = Path(directory) / f"{task.host.name}.cfg"
    params = {"previous": path.read_text(encoding="utf-8")} if path.is_file() else {}
    result = _execute(task, "backup", params, settings, retries)
    if not result.failed and "config" in result.result:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.result["config"], encoding="utf-8")
    return result


def compliance(task: Task, rules_file: str | Path, *, settings: ConnectSettings | None = None,
               retries: int = 1) -> Result:
    """Check this host against a compliance rules file; failed with the findings when it does not comply."""
    return _execute(task, "compliance", {"rules": load_rules(rules_file)}, settings, retries)
