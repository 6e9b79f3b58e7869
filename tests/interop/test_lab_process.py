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


def test_known_hosts_written_within_the_start_up_budget(tmp_path: Path) -> None:
    """`lab --known-hosts`: one key per device made while the devices start; a strict push works
    from the first contact, SSH1-only devices included (their RSA1 line)."""
    from agent.fleet.transport import ConnectSettings

    spec = tmp_path / "spec.yaml"
    spec.write_text("devices:\n  - {profile: 3com-s7906e, count: 995}\n  - {profile: 3com-s7906e-ssh1, count: 5}\n"
                    f"users:\n  - {{name: admin, password: {PASSWORD}, level: 3}}\n")
    known = tmp_path / "known_hosts"
    lab = LabProcess(tmp_path / "state", tmp_path / "lab.yaml", spec=spec, extra=["--known-hosts", str(known)])
    with lab.start(timeout=60):
        assert lab.started_seconds < 15, lab.ready_line
        lines = known.read_text().splitlines()
        assert len(lines) == 1000 and sum(1 for x in lines if " ssh-ed25519 " in x) == 995
        inventory = load_inventory(lab.inventory)
        names = ["SW7906E-0001", "SW7906E-0995", "SW7906E-0996", "SW7906E-1000"]
        options = RunOptions(retries=0, settings=ConnectSettings(known_hosts=str(known), host_key_policy="strict"))
        fleet = Fleet(inventory.filter(names), options=options,
                      secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": PASSWORD}, interactive=False))
        report = fleet.run("display clock")
        assert report.exit_code == 0, [(r.name, r.error) for r in report.failed]
        assert sorted({r.protocol for r in report.results}) == ["ssh1", "ssh2"]
    print(f"1,000 devices with --known-hosts: {lab.ready_line}")
