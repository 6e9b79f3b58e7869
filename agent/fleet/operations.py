"""What each fleet operation does on one connected device.

Every operation is a function ``(connection, params) -> (changed, detail)``; the parameters are
plain data (rendered intent text, a backup's text, a command) so the same call runs in a local
thread or on a Celery worker. File writing (backups) stays with the controller.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent.fleet import configdiff
from agent.fleet.errors import CommandError
from agent.fleet.transport import Connection

SHOW_RUN = "display current-configuration"
SHOW_SAVED = "display saved-configuration"
Operation = Callable[[Connection, dict[str, Any]], tuple[bool, dict[str, Any]]]


SAVE_WHEN = ("modified", "changed", "always", "never")


def _saved_or_none(text: str) -> str | None:
    """``display saved-configuration``'s text, or None when the device has none ("The config file does not exist!")."""
    if "does not exist" in text and len(text) < 200:
        return None
    return text


def _saved_text(conn: Connection) -> str | None:
    return _saved_or_none(conn.send_command(SHOW_SAVED))


def _saved_config(conn: Connection) -> configdiff.Config | None:
    text = _saved_text(conn)
    return None if text is None else configdiff.parse_config(text)


def _unsaved(running: configdiff.Config, saved: configdiff.Config | None) -> bool:
    """Whether running and saved differ (volatile lines such as ``version`` excluded)."""
    if saved is None:
        return True
    return bool(configdiff.config_delta(saved, running))


def _unsaved_text(running_text: str, running: configdiff.Config, saved_text: str | None) -> bool:
    """:func:`_unsaved` from the texts: the same text is the same configuration (the usual case
    after a save), so only texts that differ are parsed and compared section by section."""
    if saved_text is None:
        return True
    if saved_text.strip() == running_text.strip():
        return False
    return _unsaved(running, configdiff.parse_config(saved_text))


# save_when -> should the device be saved, given (lines were sent, running differs from saved)?
_SHOULD_SAVE: dict[str, Callable[[bool, bool], bool]] = {
    "modified": lambda sent, differs: sent or differs,
    "changed": lambda sent, differs: sent,
    "always": lambda sent, differs: True,
    "never": lambda sent, differs: False,
}


def op_push(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Read running and saved config, send only the difference, verify it took, then save.

    Saving follows ``save_when`` (Ansible's semantics): ``modified`` (default) saves whenever
    running and saved configuration differ after the push, so an intent that is already running
    but was never saved (an earlier run died between apply and save, a hand change) is saved
    too; ``changed`` saves only when this push sent lines; ``always`` / ``never``.

    Verification: when the connection saw every line echoed and accepted silently
    (``echo_verified``, see agent.fleet.transport) the device took each line, and the push does
    not read the whole configuration a second time; otherwise (an unexpected reply, SSH1, the
    netmiko stock path) it reads the running configuration again and diffs it with the intent.
    Once lines were sent, every ``save_when`` decides without "differs" (sent lines are a
    modification), so the configuration after the push is only needed for that verification.
    """
    replace = bool(params.get("replace", False))
    save_when = params.get("save_when", "modified")
    if save_when not in _SHOULD_SAVE:
        raise ValueError(f"save_when must be one of {', '.join(SAVE_WHEN)}, not {save_when!r}")
    intent = configdiff.parse_config(params["intent"])
    running_text, saved_text = conn.send_commands([SHOW_RUN, SHOW_SAVED])  # one round trip
    running = configdiff.parse_config(running_text)
    unsaved_before = _unsaved_text(running_text, running, _saved_or_none(saved_text))
    changes = configdiff.diff(intent, running, replace=replace)
    detail: dict[str, Any] = {
        "script": changes.script(),
        "delta": changes.delta(),
        "commands": len(changes.commands()),
        "unsaved_before": unsaved_before,
        "saved": False,
    }
    if params.get("dry_run"):
        return not changes.empty, detail
    sent = not changes.empty
    if sent:
        conn.send_config(changes.commands())
        if not getattr(conn, "echo_verified", False):
            after = configdiff.parse_config(conn.send_command(SHOW_RUN))
            left = configdiff.diff(intent, after, replace=replace)
            if not left.empty:
                missing = "; ".join(configdiff.mask(c) for c in left.commands())[:300]
                raise CommandError(f"verification failed, still missing after push: {missing}")
    if _SHOULD_SAVE[save_when](sent, sent or unsaved_before):
        conn.save()
        detail["saved"] = True
    return sent, detail


def op_saved_diff(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Running versus saved configuration: what a reboot would lose (``fleet diff --saved``)."""
    running = configdiff.parse_config(conn.send_command(SHOW_RUN))
    saved = _saved_config(conn) or configdiff.parse_config("")
    delta = configdiff.config_delta(saved, running)
    return bool(delta), {"delta": delta, "text": configdiff.render_delta(delta)}


def op_backup(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    text = conn.send_command(SHOW_RUN).replace("\r", "")
    if not text.endswith("\n"):
        text += "\n"
    previous = params.get("previous")
    changed = previous is None or bool(
        configdiff.config_delta(configdiff.parse_config(previous), configdiff.parse_config(text))
    )
    return changed, {"config": text}


def op_diff(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Running versus a backup text, or versus rendered intent (what a push would change)."""
    running = configdiff.parse_config(conn.send_command(SHOW_RUN))
    if "backup" in params:
        delta = configdiff.config_delta(configdiff.parse_config(params["backup"]), running)
    else:
        intent = configdiff.parse_config(params["intent"])
        delta = configdiff.diff(intent, running, replace=bool(params.get("replace"))).delta()
    return bool(delta), {"delta": delta, "text": configdiff.render_delta(delta)}


def op_run(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    output = conn.send_command(params["command"])
    if params.get("check", True):
        from agent.fleet.transport import check_output

        check_output(output, params["command"])
    return False, {"output": output}


_VERSION = re.compile(r"Comware Software, Version (?P<version>[^,\s]+),\s*(?:Release|Feature)\s+(?P<release>\S+)")
_UPTIME = re.compile(r"^(?P<model>.+?) uptime is (?P<uptime>.+)$", re.M)


def _ntc(command: str, text: str) -> list[dict[str, Any]] | None:
    try:
        from ntc_templates.parse import parse_output

        return list(parse_output(platform="hp_comware", command=command, data=text))
    except Exception:  # noqa: BLE001 - no template or unparsable output: report raw counts only
        return None


def op_facts(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    version_text = conn.send_command("display version")
    facts: dict[str, Any] = {}
    m = _VERSION.search(version_text)
    if m:
        facts.update(m.groupdict())
    m = _UPTIME.search(version_text)
    if m:
        facts["model"], facts["uptime"] = m.group("model").strip(), m.group("uptime").strip()
    interfaces = _ntc("display interface brief", conn.send_command("display interface brief"))
    if interfaces is not None:
        facts["interfaces"] = len(interfaces)
        facts["interfaces_up"] = sum(1 for i in interfaces if str(i.get("LINK", i.get("link", ""))).upper() == "UP")
    vlans = _ntc("display vlan all", conn.send_command("display vlan all"))
    if vlans is not None:
        facts["vlans"] = sorted({int(str(v.get("VLAN_ID") or v.get("vlan_id"))) for v in vlans
                                 if str(v.get("VLAN_ID") or v.get("vlan_id") or "").isdigit()})
    return False, {"facts": facts}


def op_compliance(conn: Connection, params: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    from agent.fleet.compliance import evaluate

    findings = evaluate(conn, params["rules"], params.get("address"))
    failed = [f for f in findings if not f["passed"]]
    if failed:
        from agent.fleet.errors import FleetError

        names = ", ".join(f["rule"] for f in failed)
        err = FleetError("noncompliant", f"{len(failed)} rule(s) failed: {names}")
        err.findings = findings  # type: ignore[attr-defined]
        raise err
    return False, {"findings": findings}


OPERATIONS: dict[str, Operation] = {
    "push": op_push,
    "backup": op_backup,
    "diff": op_diff,
    "saved-diff": op_saved_diff,
    "run": op_run,
    "facts": op_facts,
    "compliance": op_compliance,
}
