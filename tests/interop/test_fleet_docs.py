"""The Celery commands of docs/fleet.md, run verbatim: a lab, redis-server, `switch-agent worker` and
a strict `fleet push --backend celery`, in a network namespace and PID namespace of their own
(private 127.0.0.1, so the documented fixed ports are free; everything the commands start ends
with the namespace)."""

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


def documented_commands() -> str:
    """The console block after the marker: `$ ` lines and their continuation lines, as written."""
    text = (ROOT / "docs" / "fleet.md").read_text()
    block = text.split(MARKER, 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
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


def test_documented_celery_commands_push_to_a_lab(tmp_path: Path) -> None:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    commands = documented_commands()
    assert "switch-agent worker --broker" in commands and "--backend celery" in commands
    for name in ("templates", "device_profiles"):
        (tmp_path / name).symlink_to(ROOT / name)
    script = tmp_path / "docs.sh"
    script.write_text("set -e\nip link set lo up\n" + commands)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env.pop("SWITCH_AGENT_PASSWORD", None)
    env.pop("SWITCH_AGENT_BROKER", None)
    run = subprocess.run(["unshare", "--net", "--pid", "--fork", "bash", str(script)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    logs = "".join(f"\n--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in tmp_path.glob("*.log"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:] + logs
    devices = json.loads((tmp_path / "report.json").read_text())["devices"]
    assert len(devices) == 20 and all(d["status"] == "ok" and d["changed"] and d["saved"] for d in devices)
    assert "switch_agent.fleet.device" in (tmp_path / "worker.log").read_text()  # pushed by the worker
    assert len((tmp_path / "known_hosts").read_text().splitlines()) == 20  # written by the lab, checked strictly
    assert "20 devices: 20 ok (0 changed" in run.stdout  # diff --saved: nothing left unsaved
