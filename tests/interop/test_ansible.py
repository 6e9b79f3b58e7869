"""Ansible drives the lab through this repository's Comware collection over network_cli.

ansible-playbook runs for real (ansible-core with ansible.netcommon, paramiko underneath):
``cli_command`` returns ``display version``; ``cli_config`` pushes VLANs (``changed``, then ``ok``
on a second run, saved so a reboot keeps them); ``--check --diff`` shows the change without
making it. The inventory is the one ``switch-agent lab --ansible-inventory`` writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.lab.process import ROOT, LabProcess

pytestmark = [pytest.mark.interop]

ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
if not ANSIBLE_PLAYBOOK.exists():
    pytest.skip("ansible-playbook is not installed in this environment (pip install ansible)", allow_module_level=True)

PASSWORD = "Ansible-lab-pass-4"
DEVICES = 2

VLAN_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: VLANs for the access layer
      ansible.netcommon.cli_config:
        config: |
          vlan 310
           name ansible-users
          vlan 320
           name ansible-voice
"""

SHOW_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: software version
      ansible.netcommon.cli_command:
        command: display version
      register: version
    - name: saved configuration
      ansible.netcommon.cli_command:
        command: display saved-configuration
      register: saved
    - name: running configuration
      ansible.netcommon.cli_command:
        command: display current-configuration
      register: running
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabProcess, Path]]:
    base = tmp_path_factory.mktemp("ansiblelab")
    hosts = base / "hosts.yaml"
    process = LabProcess(base / "state", base / "nornir", count=DEVICES, users=[f"admin:{PASSWORD}:3"],
                         extra=["--ansible-inventory", str(hosts)])
    with process.start():
        yield process, hosts


def _play(base: Path, inventory: Path, play: str, *flags: str) -> dict[str, Any]:
    """Run one playbook with the JSON callback; return its parsed report."""
    playbook = base / "play.yml"
    playbook.write_text(play)
    secrets = base / "secrets.yml"
    secrets.write_text(f"ansible_password: {PASSWORD}\n")
    secrets.chmod(0o600)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT), ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_LOCAL_TEMP=str(base / "tmp"),
               ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(base / "pc"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_PERSISTENT_COMMAND_TIMEOUT="60",
               PATH=f"{ANSIBLE_PLAYBOOK.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(inventory), "-e", f"@{secrets}", *flags, str(playbook)],
                          capture_output=True, text=True, env=env, timeout=240, cwd=base)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"ansible-playbook said:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}") from None
    assert done.returncode == 0, json.dumps(report.get("plays"), indent=1)[-4000:] + done.stderr[-2000:]
    return report


def _task_results(report: dict[str, Any], task_name: str) -> dict[str, dict[str, Any]]:
    for task in report["plays"][0]["tasks"]:
        if task["task"]["name"] == task_name:
            return dict(task["hosts"])
    raise AssertionError(f"no task {task_name!r} in the report")


def test_lab_writes_an_ansible_inventory(lab: tuple[LabProcess, Path]) -> None:
    process, hosts = lab
    document = yaml.safe_load(hosts.read_text())
    groups = document["all"]["children"]
    names = [name for group in groups.values() for name in group["hosts"]]
    assert len(names) == DEVICES
    assert document["all"]["vars"]["ansible_network_os"] == "switch_agent.comware.comware"
    assert PASSWORD not in hosts.read_text()
    # The Nornir inventory beside it is a SimpleInventory folder.
    assert {p.name for p in process.inventory.iterdir()} >= {"hosts.yaml", "groups.yaml", "defaults.yaml"}


def test_cli_command_and_cli_config_check_apply_idempotent(lab: tuple[LabProcess, Path], tmp_path: Path) -> None:
    _, hosts = lab
    shown = _task_results(_play(tmp_path, hosts, SHOW_PLAY), "software version")
    assert len(shown) == DEVICES
    for result in shown.values():
        assert "Comware Software, Version 5.20" in result["stdout"]

    checked = _play(tmp_path, hosts, VLAN_PLAY, "--check", "--diff")
    for result in _task_results(checked, "VLANs for the access layer").values():
        assert result["changed"] is True
        assert "vlan 310" in result["diff"]["prepared"] and "name ansible-voice" in result["diff"]["prepared"]
    running = _task_results(_play(tmp_path, hosts, SHOW_PLAY), "running configuration")
    assert all("vlan 310" not in r["stdout"] for r in running.values()), "--check changed the device"

    first = _play(tmp_path, hosts, VLAN_PLAY)
    assert all(s["changed"] == 1 for s in first["stats"].values()), first["stats"]
    second = _play(tmp_path, hosts, VLAN_PLAY)
    assert all(s["changed"] == 0 and s["failures"] == 0 for s in second["stats"].values()), second["stats"]

    saved = _task_results(_play(tmp_path, hosts, SHOW_PLAY), "saved configuration")
    for result in saved.values():
        assert "vlan 310" in result["stdout"] and "name ansible-users" in result["stdout"]


def test_cli_command_error_line_fails_the_task(lab: tuple[LabProcess, Path], tmp_path: Path) -> None:
    _, hosts = lab
    play = """
- hosts: all
  gather_facts: false
  tasks:
    - name: a typo
      ansible.netcommon.cli_command:
        command: dispaly version
      ignore_errors: true
      register: typo
"""
    for result in _task_results(_play(tmp_path, hosts, play), "a typo").values():
        assert result.get("failed") is True
        assert "Unrecognized command" in json.dumps(result)


def test_cli_config_backup_writes_each_running_configuration(lab: tuple[LabProcess, Path], tmp_path: Path) -> None:
    _, hosts = lab
    play = f"""
- hosts: all
  gather_facts: false
  tasks:
    - name: backup
      ansible.netcommon.cli_config:
        backup: true
        backup_options:
          dir_path: {tmp_path / "backups"}
          filename: "{{{{ inventory_hostname }}}}.cfg"
"""
    _play(tmp_path, hosts, play)
    files = sorted((tmp_path / "backups").glob("*.cfg"))
    assert [f.stem for f in files] == ["SW7906E-001", "SW7906E-002"]
    for f in files:
        text = f.read_text()
        assert f" sysname {f.stem}" in text and text.rstrip().endswith("return")
