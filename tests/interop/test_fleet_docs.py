"""The console blocks of docs/fleet.md marked as run by this test, run verbatim: the quick start
(a lab of 50, push, push again, compliance) and the Celery one (a lab, redis-server,
`switch-agent worker` and a strict `fleet push --backend celery`), each in a network namespace
and PID namespace of its own (private 127.0.0.1, so the documented fixed ports are free;
everything the commands start ends with the namespace)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.lab.process import ROOT

pytestmark = [pytest.mark.interop, pytest.mark.slow]
MARKER = "<!-- run by tests/interop/test_fleet_docs.py -->"


def documented_blocks() -> list[str]:
    """The console blocks after the markers: `$ ` lines and their continuation lines, as written."""
    text = (ROOT / "docs" / "fleet.md").read_text()
    return [commands(part.split("```console\n", 1)[1].split("```", 1)[0]) for part in text.split(MARKER)[1:]]


def commands(block: str) -> str:
    lines, continued = [], False
    for line in block.splitlines():
        if line.startswith("$ "):
            lines.append(line[2:])
        elif continued:
            lines.append(line)
        continued = bool(lines) and lines[-1].endswith("\\")
    return "\n".join(lines) + "\n"


def _unavailable() -> str | None:
    for tool in ("unshare", "ip", "redis-server"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root here"
    return None


def _run(commands: str, folder: Path) -> subprocess.CompletedProcess[str]:
    for name in ("templates", "device_profiles"):
        (folder / name).symlink_to(ROOT / name)
    script = folder / "docs.sh"
    script.write_text("set -e\nip link set lo up\n" + commands)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    for name in ("SWITCH_AGENT_PASSWORD", "SWITCH_AGENT_BROKER", "SWITCH_AGENT_KNOWN_HOSTS"):
        env.pop(name, None)
    env["HOME"] = str(folder)  # the default known_hosts would go under it
    run = subprocess.run(["unshare", "--net", "--pid", "--fork", "bash", str(script)], cwd=folder, env=env,
                         capture_output=True, text=True, timeout=300)
    logs = "".join(f"\n--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in folder.glob("*.log"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:] + logs
    return run


def test_documented_quick_start(tmp_path: Path) -> None:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    quick = documented_blocks()[0]
    assert "switch-agent fleet compliance" in quick and "kill %1" in quick
    run = _run(quick, tmp_path)
    assert "50 devices: 50 ok (50 changed" in run.stdout
    assert "50 devices: 50 ok (0 changed" in run.stdout  # the second push
    assert len((tmp_path / "lab-known_hosts").read_text().splitlines()) == 50
    assert not (tmp_path / ".config").exists()  # the lab's file was used, not the default one


def test_documented_celery_commands_push_to_a_lab(tmp_path: Path) -> None:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    celery = documented_blocks()[1]
    assert "switch-agent worker --broker" in celery and "--backend celery" in celery
    run = _run(celery, tmp_path)
    devices = json.loads((tmp_path / "report.json").read_text())["devices"]
    assert len(devices) == 20 and all(d["status"] == "ok" and d["changed"] and d["saved"] for d in devices)
    assert "switch_agent.fleet.device" in (tmp_path / "worker.log").read_text()  # pushed by the worker
    assert len((tmp_path / "known_hosts").read_text().splitlines()) == 20  # written by the lab, checked strictly
    assert "20 devices: 20 ok (0 changed" in run.stdout  # diff --saved: nothing left unsaved
