"""Nornir inventory folders as their users write them: merge keys, connection_options.netmiko
precedence, errors with file and line, and hosts of other platforms refused per host."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.fleet.errors import PLATFORM, classify
from agent.fleet.inventory import Host, load_inventory
from agent.fleet.transport import ConnectSettings, connect

HOSTS = """\
sw1:
  <<: &base {hostname: 10.0.0.1, port: 2222, groups: [site]}
  connection_options:
    netmiko:
      hostname: 127.0.0.9
      port: 2200
      username: ops
      password: From-Options-1
      extras: {fast_cli: false}
sw2:
  <<: *base
  hostname: 10.0.0.2
"""


def _folder(tmp_path: Path, hosts: str = HOSTS) -> Path:
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "hosts.yaml").write_text(hosts)
    (folder / "groups.yaml").write_text("site:\n  data: {region: eu}\n  connection_options:\n    netmiko:\n      port: 2300\n")
    (folder / "defaults.yaml").write_text("username: admin\nplatform: hp_comware\n")
    return folder


def test_merge_keys_and_netmiko_options_precedence(tmp_path: Path) -> None:
    inventory = load_inventory(_folder(tmp_path))
    sw1, sw2 = inventory.hosts["sw1"], inventory.hosts["sw2"]
    assert (sw1.hostname, sw1.port, sw1.username, sw1.password) == ("127.0.0.9", 2200, "ops", "From-Options-1")
    assert sw1.connection_options["netmiko"]["extras"] == {"fast_cli": False}
    # sw2: its own hostname wins over the merged one; the group's netmiko port beats the host's port.
    assert (sw2.hostname, sw2.port, sw2.username, sw2.password) == ("10.0.0.2", 2300, "admin", None)
    assert sw2.data == {"region": "eu"}


def test_error_inside_a_merged_mapping_names_file_and_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, HOSTS.replace("port: 2222", "port: nope"))
    with pytest.raises(ConfigError, match=r"hosts\.yaml:\d+: inventory field 'hosts\.sw2\.port'"):
        load_inventory(folder)


def test_other_platform_is_refused_before_connecting() -> None:
    host = Host(name="r1", hostname="127.0.0.1", port=9, username="u", platform="cisco_ios", groups=[], data={})
    with pytest.raises(Exception) as caught:
        connect(host, "pw", ConnectSettings())
    assert classify(caught.value) == PLATFORM
    assert "cisco_ios" in str(caught.value)
