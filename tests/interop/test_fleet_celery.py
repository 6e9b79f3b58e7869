"""A fleet push through real Celery workers: redis-server as broker and result store, a worker
process, a lab, and `switch-agent fleet push --backend celery` (all on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.lab.process import LabProcess
from tests.interop.switch_process import ROOT, free_port, need, stop_process

pytestmark = pytest.mark.interop
PASSWORD = "Celery-lab-pass-7"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    need("redis-server")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
            if probe.stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(process)


def test_push_runs_on_celery_workers(tmp_path: Path, broker: str) -> None:
    env = dict(os.environ, SWITCH_AGENT_BROKER=broker, SWITCH_AGENT_PASSWORD=PASSWORD)
    worker_log = tmp_path / "worker.log"
    with open(worker_log, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "agent.fleet.celery_tasks", "worker", "-Q", "site.lab",  # the lab inventory puts every device in site "lab"
             "--pool", "threads", "-c", "8", "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
             "-n", f"lab-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        lab = LabProcess(tmp_path / "state", tmp_path / "lab.yaml", count=6, users=[f"admin:{PASSWORD}:3"])
        with lab.start(timeout=60):
            report = tmp_path / "report.json"
            cmd = [sys.executable, "-m", "agent", "fleet", "push", str(ROOT / "templates"), "-i", str(lab.inventory),
                   "--backend", "celery", "--broker", broker, "--report", str(report), "--no-progress",
                   "--var", "ops_password=Ops-celery-pass-1"]
            first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
            assert first.returncode == 0, first.stdout + first.stderr + worker_log.read_text()
            devices = json.loads(report.read_text())["devices"]
            assert len(devices) == 6 and all(d["status"] == "ok" and d["changed"] for d in devices)
            again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
            assert again.returncode == 0, again.stdout + again.stderr
            assert not any(d["changed"] for d in json.loads(report.read_text())["devices"])
        assert "switch_agent.fleet.device" in worker_log.read_text()  # the tasks really ran on the worker
    finally:
        stop_process(worker)
