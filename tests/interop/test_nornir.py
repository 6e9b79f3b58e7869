"""Nornir against the lab: the SimpleInventory folder ``switch-agent lab`` writes works unchanged
with nornir-netmiko, and the controller's operations run as Nornir tasks (idempotent push)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from nornir import InitNornir
from nornir.core import Nornir
from nornir_netmiko.tasks import netmiko_send_command, netmiko_send_config

from agent.fleet.api import Fleet
from agent.fleet.inventory import load_inventory
from agent.fleet.nornir import backup, diff, push
from agent.fleet.runner import RunOptions
from agent.fleet.secrets import Secrets
from agent.fleet.transport import ConnectSettings
from agent.lab.process import ROOT, LabProcess

pytestmark = [pytest.mark.interop]

PASSWORD = "Nornir-lab-pass-2"
OPS_PASSWORD = "Nornir-ops-pass-5"
DEVICES = 4


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabProcess]:
    base = tmp_path_factory.mktemp("nornirlab")
    users = [f"admin:{PASSWORD}:3", f"ops:{OPS_PASSWORD}:3"]
    with LabProcess(base / "state", base / "inventory", count=DEVICES, users=users) as process:
        yield process


def _nornir(lab: LabProcess) -> Nornir:
    folder = lab.inventory
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": DEVICES}},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(folder / "hosts.yaml"), "group_file": str(folder / "groups.yaml"),
            "defaults_file": str(folder / "defaults.yaml")}},
        logging={"enabled": False},
    )
    nr.inventory.defaults.password = PASSWORD
    return nr


def test_nornir_netmiko_tasks_on_every_lab_host(lab: LabProcess) -> None:
    nr = _nornir(lab)
    assert len(nr.inventory.hosts) == DEVICES
    shown = nr.run(task=netmiko_send_command, command_string="display version")
    assert not shown.failed, {h: r.exception for h, r in shown.failed_hosts.items()}
    assert all("Comware Software, Version 5.20" in r[0].result for r in shown.values())
    configured = nr.run(task=netmiko_send_config, config_commands=["vlan 77", "name nornir-netmiko"])
    assert not configured.failed, {h: r.exception for h, r in configured.failed_hosts.items()}
    vlans = nr.run(task=netmiko_send_command, command_string="display vlan 77")
    assert all("nornir-netmiko" in r[0].result for r in vlans.values())


def test_push_task_is_idempotent(lab: LabProcess, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "vlans.j2").write_text("vlan {{ 600 + index }}\n name nornir-push-{{ host.name }}\n")
    settings = ConnectSettings(known_hosts=str(tmp_path / "known_hosts"))
    nr = _nornir(lab)

    pending = nr.run(task=diff, templates=[templates], settings=settings)
    assert not pending.failed and all(r[0].changed for r in pending.values())
    assert "vlan 600" in pending["SW7906E-001"][0].diff

    first = nr.run(task=push, templates=[templates], settings=settings)
    assert not first.failed, {h: r.exception for h, r in first.failed_hosts.items()}
    assert all(r[0].changed and r[0].result["saved"] for r in first.values())
    second = nr.run(task=push, templates=[templates], settings=settings)
    assert not second.failed and not any(r[0].changed for r in second.values())

    shown = nr.run(task=netmiko_send_command, command_string="display saved-configuration")
    for index, name in enumerate(nr.inventory.hosts):
        assert f"name nornir-push-{name}" in shown[name][0].result and f"vlan {600 + index}" in shown[name][0].result

    saved = nr.run(task=backup, directory=tmp_path / "backups", settings=settings)
    assert not saved.failed and len(list((tmp_path / "backups").glob("*.cfg"))) == DEVICES


def test_a_failing_host_fails_its_nornir_result(lab: LabProcess, tmp_path: Path) -> None:
    nr = _nornir(lab)
    nr.inventory.hosts["SW7906E-002"].password = "wrong-password"
    result = nr.run(task=diff, templates=[ROOT / "templates"], extra_vars={"ops_password": "x-Pass-1"},
                    settings=ConnectSettings(known_hosts=str(tmp_path / "known_hosts"), timeout=10))
    assert list(result.failed_hosts) == ["SW7906E-002"]
    assert "authentication" in str(result["SW7906E-002"][0].exception)


def test_fleet_honours_a_nornir_folder_with_merge_keys_and_netmiko_options(lab: LabProcess, tmp_path: Path) -> None:
    """Host attributes point nowhere; connection_options.netmiko (Nornir's precedence) must win,
    merge keys must resolve, and a non-Comware host is refused on its own."""
    real = yaml.safe_load((lab.inventory / "hosts.yaml").read_text())
    folder = tmp_path / "nornir"
    folder.mkdir()
    names = list(real)[:2]
    hosts = []
    for index, name in enumerate(names):
        merged = "&common {hostname: 192.0.2.1, port: 1, groups: [site]}" if index == 0 else "*common"
        hosts.append(f"{name}:\n  <<: {merged}\n  connection_options:\n    netmiko:\n"
                     f"      hostname: {real[name]['hostname']}\n      port: {real[name]['port']}\n"
                     f"      username: ops\n      password: {OPS_PASSWORD}\n      platform: hp_comware\n")
    hosts.append("other-vendor:\n  <<: *common\n  platform: cisco_ios\n")
    (folder / "hosts.yaml").write_text("".join(hosts))
    (folder / "groups.yaml").write_text("site:\n  data: {region: lab}\n")
    (folder / "defaults.yaml").write_text("username: admin\nplatform: hp_comware\n")
    inventory = load_inventory(folder)
    sw = inventory.hosts[names[0]]
    assert (sw.hostname, sw.port, sw.username) == (real[names[0]]["hostname"], real[names[0]]["port"], "ops")
    assert sw.data["region"] == "lab" and inventory.hosts["other-vendor"].platform == "cisco_ios"

    before = lab.log.read_text().count("user=ops login ok")
    fleet = Fleet(inventory, options=RunOptions(concurrency=4, retries=0,
                                                settings=ConnectSettings(known_hosts=str(tmp_path / "kh"))),
                  secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": "not-used"}, interactive=False))
    report = fleet.run("display vlan 1")
    results = report.by_name()
    assert all(results[n].ok for n in names), [(r.name, r.error) for r in report.results]
    assert results["other-vendor"].error_class == "platform"
    deadline = time.monotonic() + 5
    while lab.log.read_text().count("user=ops login ok") < before + len(names) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lab.log.read_text().count("user=ops login ok") == before + len(names)  # the device saw user ops
