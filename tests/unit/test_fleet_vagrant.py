"""Inventories from Vagrant: ssh-config and `vagrant port` output, libvirt and VirtualBox layouts.

The whole lab under libvirt (vagrant up, the importer run against Vagrant itself) is
tests/vagrant/test_vagrant_lab.py; these are the layouts that test cannot produce here
(VirtualBox NAT) and the error cases.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import yaml

from agent.errors import ConfigError
from agent.fleet.inventory import load_inventory
from agent.fleet.vagrant import import_vagrant, parse_forwarded_ports, parse_ssh_config, read_banner
from agent.main import main

# `vagrant ssh-config` of two VirtualBox machines (NAT: 127.0.0.1 and a forwarded sshd port)...
VIRTUALBOX = """\
Host sw01
  HostName 127.0.0.1
  User vagrant
  Port 2222
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  IdentityFile /home/u/lab/.vagrant/machines/sw01/virtualbox/private_key
  IdentitiesOnly yes
  LogLevel FATAL
  PubkeyAcceptedKeyTypes +ssh-rsa

Host sw02
  HostName 127.0.0.1
  User vagrant
  Port 2200
  IdentityFile /home/u/lab/.vagrant/machines/sw02/virtualbox/private_key
"""

# ... their `vagrant port --machine-readable` output (vagrant's port command: TIME,MACHINE,forwarded_port,GUEST,HOST) ...
PORTS = """\
1765000000,sw01,metadata,provider,virtualbox
1765000000,sw01,ui,info,The forwarded ports for the machine are listed below.
1765000000,sw01,forwarded_port,22,2222
1765000000,sw01,forwarded_port,8022,2301
1765000001,sw02,metadata,provider,virtualbox
1765000001,sw02,forwarded_port,22,2200
1765000001,sw02,forwarded_port,8022,2302
"""

# ... and of a libvirt machine: the VM's own address and port 22.
LIBVIRT = """\
Host sw01
  HostName 192.168.123.26
  User vagrant
  Port 22
  IdentityFile /home/u/lab/.vagrant/machines/sw01/libvirt/private_key
"""


def test_vm_sshd_by_default(tmp_path: Path) -> None:
    assert list(parse_ssh_config(VIRTUALBOX)) == ["sw01", "sw02"]
    doc = import_vagrant(VIRTUALBOX)
    sw1 = doc["hosts"]["sw01"]
    assert (sw1["hostname"], sw1["port"], sw1["username"]) == ("127.0.0.1", 2222, "vagrant")
    assert sw1["connection_options"]["netmiko"]["extras"]["key_file"].endswith("sw01/virtualbox/private_key")
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_inventory(path).hosts["sw01"].connection_options["netmiko"]["extras"]["use_keys"] is True


def test_libvirt_switch_on_the_vm_address() -> None:
    host = import_vagrant(LIBVIRT, switch_port=8022, username="admin")["hosts"]["sw01"]
    assert (host["hostname"], host["port"], host["username"]) == ("192.168.123.26", 8022, "admin")
    assert "connection_options" not in host  # the VM's key is not the switch's login


def test_virtualbox_switch_on_its_forwarded_port() -> None:
    # Each NAT host gets the host port forwarded to its switch, not 127.0.0.1:8022 for all.
    hosts = import_vagrant(VIRTUALBOX, switch_port=8022, username="admin", forwarded=parse_forwarded_ports(PORTS))["hosts"]
    assert {name: (h["hostname"], h["port"]) for name, h in hosts.items()} == {
        "sw01": ("127.0.0.1", 2301), "sw02": ("127.0.0.1", 2302)}


def test_virtualbox_without_a_forward_is_an_error() -> None:
    with pytest.raises(ConfigError, match="sw01 is reached through NAT .* no forwarded port for guest port 8022"):
        import_vagrant(VIRTUALBOX, switch_port=8022)
    only_ssh = parse_forwarded_ports("1,sw01,forwarded_port,22,2222\n1,sw02,forwarded_port,8022,2302\n")
    with pytest.raises(ConfigError, match="host sw01"):
        import_vagrant(VIRTUALBOX, switch_port=8022, forwarded=only_ssh)


def test_bad_input_is_named() -> None:
    with pytest.raises(ConfigError, match="before any 'Host' line"):
        import_vagrant("  HostName x\n")
    with pytest.raises(ConfigError, match="no 'Host' stanzas"):
        import_vagrant("# nothing\n")
    with pytest.raises(ConfigError, match="bad Port 'x'"):
        import_vagrant("Host a\n  Port x\n")
    with pytest.raises(ConfigError, match=r"ports:2: ports must be numbers"):
        parse_forwarded_ports("1,a,forwarded_port,22,2222\n1,a,forwarded_port,guest,host\n", "ports")
    with pytest.raises(ConfigError, match="expected TIME,MACHINE,forwarded_port,GUEST,HOST"):
        parse_forwarded_ports("1,a,forwarded_port,22\n")


def test_cli_writes_the_inventory_without_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ssh.cfg").write_text(VIRTUALBOX, encoding="utf-8")
    (tmp_path / "ports.txt").write_text(PORTS, encoding="utf-8")
    monkeypatch.setenv("SWITCH_AGENT_USER", "netops")
    monkeypatch.setenv("SWITCH_AGENT_PASSWORD", "Never-in-the-file-1")
    out = tmp_path / "inventory.yaml"
    assert main(["fleet", "import-vagrant", str(tmp_path / "ssh.cfg"), "--switch-port", "8022",
                 "--forwarded", str(tmp_path / "ports.txt"), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Never-in-the-file-1" not in text
    inventory = load_inventory(out)
    assert {(h.name, h.port, h.username) for h in inventory.hosts.values()} == {("sw01", 2301, "netops"), ("sw02", 2302, "netops")}
    # Without the forwarded ports a NAT import fails with the reason, instead of guessing 8022.
    assert main(["fleet", "import-vagrant", str(tmp_path / "ssh.cfg"), "--switch-port", "8022"]) == 2
    assert "no forwarded port for guest port 8022" in capsys.readouterr().err
    # --vagrant-dir needs a Vagrant project there.
    assert main(["fleet", "import-vagrant", "--vagrant-dir", str(tmp_path), "--switch-port", "8022"]) == 2
    assert "no Vagrantfile here" in capsys.readouterr().err


def test_read_banner_of_a_real_device(tmp_path: Path) -> None:
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert read_banner("127.0.0.1", port, timeout=2) == ""  # nothing listens: no banner, no error
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [sys.executable, "-m", "agent", "serve", "--profile", str(root / "device_profiles" / "3com-s7906e-ssh1.yaml"),
         "--listen", f"127.0.0.1:{port}", "--state", str(tmp_path / "state"), "--user", "admin:3"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "SWITCH_AGENT_PASSWORD": "Lab-pass-1"})
    try:
        assert server.stdout is not None and "listening on" in server.stdout.readline()
        assert read_banner("127.0.0.1", port) == "SSH-1.5-Comware-5.20"
    finally:
        server.terminate()
        server.wait(timeout=30)
