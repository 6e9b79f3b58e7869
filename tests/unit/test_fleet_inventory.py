"""Inventory loading: SimpleInventory inheritance, errors naming file/line/field, secrets (Vagrant import: test_fleet_vagrant.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.fleet.inventory import load_inventory
from agent.fleet.secrets import Secrets

INVENTORY = """\
defaults:
  username: admin
  platform: hp_comware
  data: {site: hq, snmp_contact: noc}
groups:
  core:
    groups: [site_a]
    data: {role: core, max_concurrency: 2}
  site_a:
    password_env: SITE_A_PASSWORD
    port: 2222
    data: {site: a}
hosts:
  sw1:
    hostname: 10.0.0.1
    groups: [core]
    data: {role: edge-override}
  sw2:
    hostname: 10.0.0.2
    port: 22
    username: ops
"""


def write(tmp_path: Path, text: str, name: str = "inv.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_inheritance_host_groups_defaults(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, INVENTORY))
    sw1, sw2 = inv.hosts["sw1"], inv.hosts["sw2"]
    assert (sw1.hostname, sw1.port, sw1.username, sw1.platform) == ("10.0.0.1", 2222, "admin", "hp_comware")
    assert sw1.groups == ["core", "site_a"]
    assert sw1.password_env == "SITE_A_PASSWORD"
    assert sw1.data == {"site": "a", "snmp_contact": "noc", "role": "edge-override", "max_concurrency": 2}
    assert (sw2.port, sw2.username, sw2.password_env, sw2.data["site"]) == (22, "ops", None, "hq")
    assert list(inv.filter(groups=["site_a"]).hosts) == ["sw1"]


def test_nornir_folder_layout(tmp_path: Path) -> None:
    write(tmp_path, "sw1: {hostname: 10.0.0.1, groups: [g]}\n", "hosts.yaml")
    write(tmp_path, "g: {port: 2200}\n", "groups.yaml")
    write(tmp_path, "username: admin\n", "defaults.yaml")
    host = load_inventory(tmp_path).hosts["sw1"]
    assert (host.port, host.username) == (2200, "admin")


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("hosts:\n  sw1:\n    hostname: a\n    port: notaport\n", 4, "hosts.sw1.port"),
        ("defaults: {username: a}\nhosts:\n  sw1:\n    hostnme: a\n", 4, "hosts.sw1.hostnme"),
        ("defaults: {username: a}\nhosts:\n  sw1:\n    groups: [nope]\n", 4, "hosts.sw1.groups.0"),
        ("hosts:\n  sw1:\n    hostname: a\n", 2, "hosts.sw1.username"),
        ("hosts:\n  sw1: {username: a, password_env: 'bad-name'}\n", 2, "hosts.sw1.password_env"),
        # One port range (1-65535) for hosts, groups, defaults and connection_options.
        ("hosts:\n  sw1:\n    username: a\n    port: 0\n", 4, "hosts.sw1.port"),
        ("groups:\n  g:\n    port: 0\nhosts:\n  sw1: {username: a, groups: [g]}\n", 3, "groups.g.port"),
        ("defaults:\n  username: a\n  port: 0\nhosts:\n  sw1: {}\n", 3, "defaults.port"),
        ("defaults:\n  port: 65536\nhosts:\n  sw1: {username: a}\n", 2, "defaults.port"),
        ("hosts:\n  sw1:\n    username: a\n    connection_options:\n      netmiko:\n        port: 0\n", 6,
         "hosts.sw1.connection_options.netmiko.port"),
    ],
)
def test_errors_name_file_line_field(tmp_path: Path, text: str, line: int, field: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_inventory(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert f"'{field}'" in message, message


def test_defaults_and_hosts_share_one_attribute_model() -> None:
    from agent.fleet.inventory import ConnectionOptions, DefaultsModel, GroupModel, HostModel

    assert issubclass(HostModel, DefaultsModel) and issubclass(GroupModel, DefaultsModel)
    assert set(HostModel.model_fields) - set(DefaultsModel.model_fields) == {"groups"}
    for model in (DefaultsModel, HostModel, GroupModel, ConnectionOptions):
        assert model.model_json_schema()["properties"]["port"]["anyOf"][0] == {
            "type": "integer", "minimum": 1, "maximum": 65535}, model


def test_bad_yaml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts:\n  sw1: [\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid YAML"):
        load_inventory(path)


def test_secrets_order_and_prompt(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, INVENTORY))
    sw1, sw2 = inv.hosts["sw1"], inv.hosts["sw2"]
    env = {"SITE_A_PASSWORD": "site-a", "SWITCH_AGENT_PASSWORD": "global"}
    secrets = Secrets(environ=env, interactive=False)
    assert secrets.password_for(sw1) == "site-a"
    assert secrets.password_for(sw2) == "global"
    with pytest.raises(ConfigError, match="SITE_A_PASSWORD or SWITCH_AGENT_PASSWORD"):
        Secrets(environ={}, interactive=False).password_for(sw1)
    asked: list[str] = []
    prompting = Secrets(environ={}, prompt=lambda text: asked.append(text) or "typed", interactive=True)
    assert prompting.password_for(sw1) == "typed" and prompting.password_for(sw1) == "typed"
    assert len(asked) == 1  # one prompt per variable, not per host


def test_lab_inventory_has_no_password(tmp_path: Path) -> None:
    from agent.lab.inventory import write_inventory
    from agent.lab.plan import plan_lab
    from agent.lab.spec import DeviceGroup, LabSpec
    from agent.profiles.model import LabUser

    spec = LabSpec(devices=[DeviceGroup(profile="3com-s7906e", count=3), DeviceGroup(profile="3com-s7906e-ssh1", count=2)],
                   users=[LabUser(name="admin", password="Very-secret-9")])
    slots = plan_lab(spec, listen=("127.0.0.1", 3000), state=tmp_path / "s")
    path = tmp_path / "lab.yaml"
    write_inventory(path, slots, "admin")
    assert "Very-secret-9" not in path.read_text()
    inv = load_inventory(path)
    assert [h.port for h in inv.hosts.values()] == [3000, 3001, 3002, 3003, 3004]
    assert [h.ssh1_only for h in inv.hosts.values()] == [False, False, False, True, True]
    assert list(inv.hosts) == ["SW7906E-001", "SW7906E-002", "SW7906E-003", "SW7906E-004", "SW7906E-005"]
    assert {h.username for h in inv.hosts.values()} == {"admin"}
