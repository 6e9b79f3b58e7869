"""The controller's fast path against a real lab: the algorithms it gets, the one-write
configuration session checked in the echo, errors named by line, and netmiko's stock path
(``fast=False``) still pushing the same change."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.fleet.api import Fleet
from agent.fleet.inventory import load_inventory
from agent.fleet.runner import RunOptions
from agent.fleet.secrets import Secrets
from agent.fleet.transport import ConnectSettings, connect, echo_check
from agent.lab.process import LabProcess

pytestmark = [pytest.mark.interop]

PASSWORD = "Lab-fast-pass-7"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabProcess]:
    base = tmp_path_factory.mktemp("fast")
    process = LabProcess(base / "state", base / "lab.yaml", count=2, users=[f"admin:{PASSWORD}:3"])
    with process.start():
        yield process


def _fleet(lab: LabProcess, tmp_path: Path, **settings: object) -> Fleet:
    options = RunOptions(concurrency=4, retries=0,
                         settings=ConnectSettings(known_hosts=str(tmp_path / "known_hosts"), **settings))  # type: ignore[arg-type]
    return Fleet(load_inventory(lab.inventory), options=options,
                 secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": PASSWORD}, interactive=False))


def test_cheap_algorithms_negotiated(lab: LabProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    host = next(iter(load_inventory(lab.inventory).hosts.values()))
    with caplog.at_level(logging.DEBUG, logger="paramiko.transport"):
        conn = connect(host, PASSWORD, ConnectSettings(known_hosts=str(tmp_path / "known_hosts")))
    try:
        transport = conn.conn.remote_conn.get_transport()  # type: ignore[attr-defined]
        assert (transport.local_cipher, transport.remote_cipher) == ("aes128-gcm@openssh.com",) * 2
        assert transport.host_key_type == "ssh-ed25519"
        assert "Kex: curve25519-sha256@libssh.org" in caplog.messages  # the device offers ML-KEM first
        assert conn.send_command("display clock").strip(), "a command's output comes back"
    finally:
        conn.close()


def test_push_is_echo_verified_and_errors_name_the_line(lab: LabProcess, tmp_path: Path) -> None:
    host = next(iter(load_inventory(lab.inventory).hosts.values()))
    conn = connect(host, PASSWORD, ConnectSettings(known_hosts=str(tmp_path / "known_hosts")))
    try:
        output = conn.send_config(["vlan 61", " name fast-61", "quit"])
        assert conn.echo_verified, output  # type: ignore[attr-defined]
        assert "vlan 61\n name fast-61" in conn.send_command("display current-configuration")
        with pytest.raises(Exception, match=r"device rejected ' no-such-command 1'.*Unrecognized command"):
            conn.send_config(["vlan 62", " no-such-command 1", "quit"])
        # the session is back in user view and usable after the rejected line
        assert "vlan 62" in conn.send_command("display current-configuration")
    finally:
        conn.close()


def test_echo_check_on_device_text() -> None:
    prompt = re.compile(r"^[<\[]SW1[^\n<>\[\]]*[>\]]", re.M)
    sent = ["system-view", "vlan 10", " name a", "quit", "return"]
    accepted = ("system-view\nSystem View: return to User View with Ctrl+Z.\n[SW1]vlan 10\n[SW1-vlan10] name a\n"
                "[SW1-vlan10]quit\n[SW1]return\n<SW1>")
    assert echo_check(accepted, sent, prompt)
    info = accepted.replace("[SW1-vlan10] name a\n", "[SW1-vlan10] name a\n Info: something to say.\n")
    assert not echo_check(info, sent, prompt), "a reply that is not silent asks for a read-back"
    lost = accepted.replace("[SW1-vlan10] name a\n", "")
    assert not echo_check(lost, sent, prompt), "a line without its echo asks for a read-back"


def test_stock_netmiko_path_pushes_the_same(lab: LabProcess, tmp_path: Path) -> None:
    template = tmp_path / "vlan.j2"
    template.write_text("vlan 63\n name stock-63\n#\n")
    fast = _fleet(lab, tmp_path).push([template])
    assert [(r.status, r.changed, r.saved) for r in fast.results] == [("ok", True, True)] * 2, fast.failed
    template.write_text("vlan 63\n name stock-63-b\n#\n")
    stock = _fleet(lab, tmp_path, fast=False).push([template])
    assert [(r.status, r.changed, r.saved) for r in stock.results] == [("ok", True, True)] * 2, \
        [(r.name, r.error) for r in stock.failed]
    again = _fleet(lab, tmp_path).push([template])
    assert [(r.status, r.changed, r.saved) for r in again.results] == [("ok", False, False)] * 2
