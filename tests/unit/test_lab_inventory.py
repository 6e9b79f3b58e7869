"""The inventories ``switch-agent lab`` writes: a Nornir SimpleInventory folder that Nornir itself
loads, the single-file form, and an Ansible inventory; none holds a password."""

from __future__ import annotations

from pathlib import Path

import yaml
from nornir import InitNornir

from agent.fleet.inventory import load_inventory
from agent.lab.inventory import write_ansible_inventory, write_inventory
from agent.lab.plan import DeviceSlot, plan_lab
from agent.lab.spec import DeviceGroup, LabSpec
from agent.profiles.model import LabUser

SECRET = "Very-secret-9"


def _slots(tmp_path: Path) -> list[DeviceSlot]:
    spec = LabSpec(devices=[DeviceGroup(profile="3com-s7906e", count=3), DeviceGroup(profile="3com-s7906e-ssh1", count=2)],
                   users=[LabUser(name="admin", password=SECRET)])
    return plan_lab(spec, listen=("127.0.0.1", 3000), state=tmp_path / "s")


def test_folder_is_a_nornir_simple_inventory(tmp_path: Path) -> None:
    folder = tmp_path / "inventory"
    write_inventory(folder, _slots(tmp_path), "admin")
    assert sorted(p.name for p in folder.iterdir()) == ["defaults.yaml", "groups.yaml", "hosts.yaml"]
    assert all(SECRET not in p.read_text() for p in folder.iterdir())
    nr = InitNornir(
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(folder / "hosts.yaml"), "group_file": str(folder / "groups.yaml"),
            "defaults_file": str(folder / "defaults.yaml")}},
        logging={"enabled": False},
    )
    assert sorted(nr.inventory.hosts) == [f"SW7906E-00{i}" for i in range(1, 6)]
    host = nr.inventory.hosts["SW7906E-004"]
    assert (host.hostname, host.port, host.username, host.platform) == ("127.0.0.1", 3003, "admin", "hp_comware")
    assert host["ssh1_only"] is True
    ours = load_inventory(folder)
    assert [h.port for h in ours.hosts.values()] == [3000, 3001, 3002, 3003, 3004]


def test_yaml_suffix_keeps_the_single_file(tmp_path: Path) -> None:
    path = tmp_path / "lab.yml"
    write_inventory(path, _slots(tmp_path), "admin")
    assert set(yaml.safe_load(path.read_text())) == {"defaults", "groups", "hosts"}


def test_ansible_inventory(tmp_path: Path) -> None:
    path = tmp_path / "hosts.yaml"
    write_ansible_inventory(path, _slots(tmp_path), "admin")
    text = path.read_text()
    assert SECRET not in text
    document = yaml.safe_load(text)
    assert document["all"]["vars"]["ansible_network_os"] == "switch_agent.comware.comware"
    groups = document["all"]["children"]
    assert all(name.isidentifier() for name in groups)  # what Ansible accepts without a warning
    hosts = {name: h for g in groups.values() for name, h in g["hosts"].items()}
    assert hosts["SW7906E-002"] == {"ansible_host": "127.0.0.1", "ansible_port": 3001}
    assert hosts["SW7906E-005"]["switch_agent_ssh1_only"] is True
