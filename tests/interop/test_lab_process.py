"""`switch-agent lab` as a real process: 1,000 devices start in seconds, K workers, clean shutdown."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from agent.fleet.api import Fleet
from agent.fleet.inventory import load_inventory
from agent.fleet.runner import RunOptions
from agent.fleet.secrets import Secrets
from agent.lab.process import LabProcess

pytestmark = [pytest.mark.interop, pytest.mark.slow]
PASSWORD = "Lab-proc-pass-5"


def _closed(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), 1).close()
    except OSError:
        return True
    return False


def test_thousand_devices_start_in_seconds_and_stop_cleanly(tmp_path: Path) -> None:
    lab = LabProcess(tmp_path / "state", tmp_path / "lab.yaml", count=1000, users=[f"admin:{PASSWORD}:3"])
    with lab.start(timeout=60):
        assert lab.started_seconds < 15, lab.ready_line
        inventory = load_inventory(lab.inventory)
        assert len(inventory.hosts) == 1000 and len({h.port for h in inventory.hosts.values()}) == 1000
        assert PASSWORD not in lab.inventory.read_text()
        last = inventory.hosts["SW7906E-1000"]
        fleet = Fleet(inventory.filter(["SW7906E-0001", "SW7906E-1000"]), options=RunOptions(retries=0),
                      secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": PASSWORD}, interactive=False))
        report = fleet.run("display current-configuration | include sysname")
        assert report.exit_code == 0
        assert " sysname SW7906E-1000" in report.by_name()["SW7906E-1000"].detail["output"]
    assert lab.process is None
    assert _closed(last.hostname, last.port)
    assert "lab stopped: 1000 devices" in lab.log.read_text()
    # Host keys only for the devices that were logged into (lazy creation).
    assert len(list((tmp_path / "state").glob("*/keys"))) == 2


def test_worker_processes_serve_slices(tmp_path: Path) -> None:
    lab = LabProcess(tmp_path / "state", tmp_path / "lab.yaml", count=20, users=[f"admin:{PASSWORD}:3"], processes=2)
    with lab.start(timeout=60):
        assert "in 2 process(es)" in lab.ready_line
        fleet = Fleet.from_file(lab.inventory, options=RunOptions(retries=0),
                                secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": PASSWORD}, interactive=False))
        report = fleet.run("display clock")
        assert report.exit_code == 0 and len(report.results) == 20
        hosts = list(fleet.hosts)
    assert all(_closed(h.hostname, h.port) for h in hosts)
