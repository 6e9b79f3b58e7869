"""``switch-agent fleet`` as a shell user runs it against a lab: JSON on standard output, host
patterns, re-running the failures of a report, ``-v`` after the subcommand, ``--exit-code``, and
every example that the fleet's ``--help`` prints."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.fleet.cli import EXAMPLES
from agent.lab.process import ROOT, LabProcess

pytestmark = [pytest.mark.interop]

PASSWORD = "Shell-lab-pass-8"
VARS = ["--var", "ops_password=Ops-shell-pass-2"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder laid out as the README's examples expect: lab.yaml and templates/ side by side."""
    base = tmp_path_factory.mktemp("shell")
    shutil.copytree(ROOT / "templates", base / "templates")
    with LabProcess(base / "lab-state", base / "lab.yaml", count=3, users=[f"admin:{PASSWORD}:3"]):
        yield base


def fleet(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SWITCH_AGENT_PASSWORD=PASSWORD, HOME=str(cwd), XDG_CONFIG_HOME=str(cwd / ".config"))
    return subprocess.run([sys.executable, "-m", "agent", "fleet", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_json_on_stdout_and_human_text_on_stderr(workdir: Path) -> None:
    for flag in (["--json"], ["--report", "-"]):
        done = fleet(workdir, "run", "display clock", "-i", "lab.yaml", *flag)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["summary"]["ok"] == 3
        assert all("UTC" in d["output"] or ":" in d["output"] for d in report["devices"])
        assert "3 devices: 3 ok" in done.stderr
    assert not (workdir / "-").exists()


def test_patterns_exclude_and_verbose_after_the_subcommand(workdir: Path) -> None:
    done = fleet(workdir, "run", "display clock", "-i", "lab.yaml", "--hosts", "SW7906E-00?",
                 "--exclude", "*-002", "--json", "-v")
    assert done.returncode == 0, done.stderr
    assert [d["name"] for d in json.loads(done.stdout)["devices"]] == ["SW7906E-001", "SW7906E-003"]
    typo = fleet(workdir, "run", "display clock", "-i", "lab.yaml", "--hosts", "SW7906E-0x1")
    assert typo.returncode == 2 and "no such host: SW7906E-0x1" in typo.stderr


def test_failed_from_reruns_only_the_failures(workdir: Path) -> None:
    previous = {"devices": [{"name": "SW7906E-001", "status": "ok"}, {"name": "SW7906E-003", "status": "failed"}],
                "summary": {}}
    (workdir / "previous.json").write_text(json.dumps(previous))
    done = fleet(workdir, "run", "display clock", "-i", "lab.yaml", "--failed-from", "previous.json", "--json")
    assert done.returncode == 0, done.stderr
    assert [d["name"] for d in json.loads(done.stdout)["devices"]] == ["SW7906E-003"]
    previous["devices"][1]["status"] = "ok"
    (workdir / "previous.json").write_text(json.dumps(previous))
    nothing = fleet(workdir, "run", "display clock", "-i", "lab.yaml", "--failed-from", "previous.json")
    assert nothing.returncode == 0 and "nothing to re-run" in nothing.stderr


def test_exit_code_three_while_changes_are_pending(workdir: Path) -> None:
    templates = workdir / "vlan-only"
    templates.mkdir(exist_ok=True)
    (templates / "vlan.j2").write_text("vlan 812\n name shell-exit-code\n")
    pending = fleet(workdir, "diff", "--templates", "vlan-only", "-i", "lab.yaml", "--exit-code")
    assert pending.returncode == 3, pending.stderr
    assert fleet(workdir, "diff", "--templates", "vlan-only", "-i", "lab.yaml").returncode == 0
    dry = fleet(workdir, "push", "vlan-only", "-i", "lab.yaml", "--dry-run", "--exit-code")
    assert dry.returncode == 3, dry.stderr
    assert fleet(workdir, "push", "vlan-only", "-i", "lab.yaml").returncode == 0
    assert fleet(workdir, "diff", "--templates", "vlan-only", "-i", "lab.yaml", "--exit-code").returncode == 0
    assert fleet(workdir, "push", "vlan-only", "-i", "lab.yaml", "--dry-run", "--exit-code").returncode == 0


def test_every_fleet_help_example_runs(workdir: Path) -> None:
    """The examples in ``--help`` are commands people paste: each one runs against the lab."""
    ran = 0
    for lines in EXAMPLES.values():
        for line in lines:
            argv = shlex.split(line)
            if argv[:2] != ["switch-agent", "fleet"] or "|" in argv or "&&" in argv:
                continue  # a pipeline, the worker, or Vagrant's own command
            done = fleet(workdir, *argv[2:])
            assert done.returncode in (0, 3), f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            assert "Traceback" not in done.stderr
            ran += 1
    assert ran >= 12
