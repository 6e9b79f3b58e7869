"""The Comware CLI over a real SSH connection: netmiko, ntc-templates, scrapli, paramiko.

Every test starts its own ``switch-agent serve`` on 127.0.0.1 (a fresh state folder, about
0.3 s) and stops it again, so the tests do not depend on each other's changes.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSWORD, USER, make_device
from tests.interop.switch_process import SSH_OPTS, RunningSwitch, need, running_switch

pytestmark = pytest.mark.interop

USERS = [f"{USER}:{PASSWORD}:3"]
PROMPT = "<SW7906E>"
VERSION_TEXT = "Comware Software, Version 5.20, Release 6616P01"
# The five Comware error lines (and anything netmiko/scrapli would call an error).
ERROR_RE = re.compile(r"% (?:Unrecognized|Incomplete|Ambiguous|Too many parameters|Wrong parameter)|Error|Invalid input")

DISPLAY_COMMANDS = [
    "display version",
    "display current-configuration",
    "display current-configuration interface GigabitEthernet2/0/1",
    "display saved-configuration",
    "display this",
    "display interface",
    "display interface brief",
    "display interface GigabitEthernet2/0/1",
    "display vlan",
    "display vlan all",
    "display vlan brief",
    "display vlan 1",
    "display mac-address",
    "display clock",
    "display device",
    "display device manuinfo",
    "display ip interface",
    "display users",
    "display ssh server status",
    "display ssh server session",
    "display ssh user-information",
    "display local-user",
    "display history-command",
]

# The change netmiko's send_config_set makes (and the seeded state of the read-only tests).
CHANGE = [
    "vlan 10",
    "name users",
    "quit",
    "interface GigabitEthernet2/0/1",
    "description to-host",
    "port access vlan 10",
    "quit",
    "interface GigabitEthernet2/0/2",
    "port link-type trunk",
    "port trunk permit vlan 1 10",
    "quit",
    "interface Vlan-interface10",
    "ip address 10.1.10.1 255.255.255.0",
    "quit",
]


def netmiko(switch: RunningSwitch, username: str = USER, password: str = PASSWORD, **extra: Any) -> Any:
    from netmiko import ConnectHandler

    return ConnectHandler(
        device_type="hp_comware", host=switch.host, port=switch.port, username=username, password=password,
        timeout=20, conn_timeout=10, **extra,
    )


def seed(state: Path) -> Any:
    """Apply CHANGE through the device's own CLI and save it, before the server starts."""
    device = make_device(state)
    cli = device.open_cli(USER, 3, interactive=False)
    for line in ["system-view", *CHANGE]:
        output, status = cli.execute(line)
        assert status == 0, (line, output)
    device.save()
    return device


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    with running_switch(tmp_path / "state", USERS) as running:
        yield running


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[RunningSwitch, Any]]:
    state = tmp_path / "state"
    device = seed(state)
    with running_switch(state, USERS) as running:
        yield running, device


def short(name: str) -> str:
    return name.replace("Ten-GigabitEthernet", "XGE").replace("GigabitEthernet", "GE")


# ---------------------------------------------------------------------------------------------- netmiko


def test_netmiko_displays_config_save_and_restart(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with running_switch(state, USERS) as switch:
        conn = netmiko(switch)
        try:
            assert conn.find_prompt() == PROMPT
            outputs = {}
            for command in DISPLAY_COMMANDS:
                outputs[command] = output = conn.send_command(command)
                assert not ERROR_RE.search(output), (command, output)
                assert PROMPT not in output, (command, output)
            assert VERSION_TEXT in outputs["display version"]
            assert outputs["display current-configuration"].rstrip().endswith("return")
            assert "interface GigabitEthernet2/0/1" in outputs["display current-configuration interface GigabitEthernet2/0/1"]
            assert "GigabitEthernet2/0/1 current state" in outputs["display interface GigabitEthernet2/0/1"]
            assert "admin" in outputs["display users"]
            assert re.search(r"^ VTY 0 +2\.0 +\S+ +Established +0 +Stelnet +admin$", outputs["display ssh server session"], re.M)
            assert "display ssh user-information" in outputs["display history-command"]

            output = conn.send_config_set(CHANGE)
            assert not ERROR_RE.search(output), output
            assert "[SW7906E-vlan10]name users" in output and output.rstrip().endswith(PROMPT)
            assert "successfully" in conn.save_config()
            saved = conn.send_command("display saved-configuration")
            assert " description to-host" in saved, saved
        finally:
            conn.disconnect()
        switch.wait_log(r"peer=.*login ok")
    assert (state / "flash").is_dir()

    # A new process on the same state folder boots from the saved configuration.
    with running_switch(state, USERS) as switch:
        conn = netmiko(switch)
        try:
            config = conn.send_command("display current-configuration")
            assert "vlan 10\n name users\n#" in config, config
            assert "interface GigabitEthernet2/0/1\n description to-host\n port access vlan 10\n#" in config
            assert "interface GigabitEthernet2/0/2\n port link-type trunk\n" in config
            assert "interface Vlan-interface10\n ip address 10.1.10.1 255.255.255.0\n#" in config
            assert " description to-host" in conn.send_command("display current-configuration interface GigabitEthernet2/0/1")
            assert "Name: users" in conn.send_command("display vlan 10")
        finally:
            conn.disconnect()


def test_ntc_templates_parse_device_state(seeded: tuple[RunningSwitch, Any]) -> None:
    switch, device = seeded
    ports = sorted(device.ports.values(), key=lambda p: p.ordinal)
    names = [p.name for p in ports]
    conn = netmiko(switch)
    try:
        def parse(command: str) -> list[dict[str, Any]]:
            records = conn.send_command(command, use_textfsm=True, raise_parsing_error=True)
            assert isinstance(records, list) and records, (command, records)
            return records

        brief = {r["interface"]: r for r in parse("display interface brief")}
        assert [n for n in brief if n.startswith(("GE", "XGE"))] == [short(n) for n in names]
        assert brief["GE2/0/1"]["type"] == "A" and brief["GE2/0/1"]["vlan_id"] == "10"
        assert brief["GE2/0/1"]["description"] == "to-host"
        assert brief["GE2/0/2"]["type"] == "T"
        assert brief["Vlan10"]["main_ip"] == "10.1.10.1" and brief["NULL0"]["link"] == "UP"

        interfaces = {r["interface"]: r for r in parse("display interface")}
        assert set(names) <= set(interfaces)
        ge1, ge2 = interfaces["GigabitEthernet2/0/1"], interfaces["GigabitEthernet2/0/2"]
        assert ge1["port_link_type"] == "access" and ge1["untagged_vlan_id"] == "10" and ge1["description"] == "to-host"
        assert ge2["port_link_type"] == "trunk" and "10" in ",".join(ge2["vlan_permitted"])
        assert interfaces["Vlan-interface10"]["ip_address"] == ["10.1.10.1/24"]
        assert ge1["hw_address"] == [device.port_mac(device.port("GigabitEthernet2/0/1"))]

        vlans = {r["vlan_id"]: r for r in parse("display vlan all")}
        assert set(vlans) == {"1", "10"}
        assert vlans["10"]["vlan_name"] == "users" and vlans["10"]["ipv4_address"] == "10.1.10.1"
        assert vlans["10"]["ipv4_subnet"] == "255.255.255.0" and vlans["10"]["route_interface"] == "configured"
        # The template keeps no port lists: check them in the raw text (at most 3 ports a line).
        raw = conn.send_command("display vlan 10")
        assert re.search(r"Tagged   Ports:\s+GigabitEthernet2/0/2\s+Untagged Ports:\s+GigabitEthernet2/0/1\s*$", raw), raw
        raw_all = conn.send_command("display vlan all")
        untagged_1 = re.findall(r"\S+", raw_all.split("Untagged Ports:")[1].split("VLAN ID")[0])
        assert untagged_1 == [n for n in names if n != "GigabitEthernet2/0/1"]  # a trunk's PVID 1 is untagged

        assert [(r["vlan_id"], r["vlan_name"]) for r in parse("display vlan brief")] == [("1", "VLAN"), ("10", "users")]

        macs = parse("display mac-address")
        for record in macs:
            port = device.port(record["interface"])
            assert port is not None, record
            assert record["vlan_id"] == str(port.access_vlan if port.link_type == "access" else port.pvid)
            assert re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", record["mac_address"])
        assert "GigabitEthernet2/0/1" in {r["interface"] for r in macs}

        (clock,) = parse("display clock")
        shown = datetime.strptime(f"{clock['year']}-{clock['month']}-{clock['day']} {clock['time']}", "%Y-%m-%d %H:%M:%S")
        assert abs(shown.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() < 120, clock

        manuinfo = [r for r in parse("display device manuinfo") if r["slot_type"] == "Slot"]
        boards = dict(re.findall(r"^(\d+)\s+(\S+)", conn.send_command("display device"), re.M))
        assert {r["slot_id"]: r["device_name"] for r in manuinfo} == boards
        assert all(r["vendor_name"] == "3Com" and r["device_serial_number"] for r in manuinfo)

        (ip,) = parse("display ip interface")
        assert ip["interface"] == "Vlan-interface10" and ip["ip_address"] == ["10.1.10.1/24"]
        assert ip["line_status"] == "UP"
    finally:
        conn.disconnect()


# ---------------------------------------------------------------------------------------------- scrapli


def test_scrapli_community_hp_comware(switch: RunningSwitch) -> None:
    """scrapli (1.x API, pinned in pyproject.toml) with scrapli-community's hp_comware platform."""
    from scrapli import Scrapli
    conn = Scrapli(
        host=switch.host, port=switch.port, auth_username=USER, auth_password=PASSWORD, auth_strict_key=False,
        platform="hp_comware", transport="paramiko", timeout_ops=10,
    )
    conn.open()
    try:
        assert VERSION_TEXT in conn.send_command("display version").result
        assert not conn.send_configs(["vlan 31", "name scrapli", "quit"]).failed
        assert "Name: scrapli" in conn.send_command("display vlan 31").result
    finally:
        conn.close()


def test_two_sessions_see_each_others_changes(switch: RunningSwitch) -> None:
    # cmd_verify on: our CLI echoes each line, so send_config_set need not wait 2 s of silence
    first, second = netmiko(switch, global_cmd_verify=True), netmiko(switch, global_cmd_verify=True)
    try:
        assert "VLAN ID: 40" not in second.send_command("display vlan all")
        first.send_config_set(["vlan 40", "name shared"])
        assert "Name: shared" in second.send_command("display vlan 40")
        second.send_config_set(["interface GigabitEthernet2/0/5", "description set-by-second", "port access vlan 40"])
        assert " description set-by-second\n port access vlan 40" in first.send_command(
            "display current-configuration interface GigabitEthernet2/0/5"
        )
        sessions = first.send_command("display ssh server session")
        assert sessions.count("Established") == 2, sessions
        users = second.send_command("display users")
        assert "VTY 0" in users and "VTY 1" in users, users
        # sysname changes every session's prompt at once
        first.send_config_set(["sysname lab-two"], exit_config_mode=False)
        second.write_channel("\n")
        time.sleep(0.3)
        assert "<lab-two>" in second.read_channel()
    finally:
        first.disconnect()
        second.disconnect()


# ---------------------------------------------------------------------------------------------- SSH config


def rsa_host_key(switch: RunningSwitch) -> bytes:
    import paramiko

    with socket.create_connection((switch.host, switch.port), timeout=10) as sock:
        transport = paramiko.Transport(sock)
        transport.get_security_options().key_types = ["rsa-sha2-512"]
        try:
            transport.start_client(timeout=10)
            key = transport.get_remote_server_key()
            assert key.get_name() == "ssh-rsa"
            return key.asbytes()
        finally:
            transport.close()


def wrong_password_then(switch: RunningSwitch) -> tuple[bool, str]:
    """Type one wrong password into OpenSSH; return whether the server asks again, and what ssh printed.

    (OpenSSH, not paramiko: paramiko sends a fresh ssh-userauth SERVICE_REQUEST before every
    auth attempt, and the server drops the connection on the second one; see the report.)
    """
    import pexpect

    need("ssh")
    args = [*SSH_OPTS, "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
            "-o", "NumberOfPasswordPrompts=3", "-p", str(switch.port), f"{USER}@{switch.host}", "display clock"]
    child = pexpect.spawn("ssh", args, encoding="utf-8", timeout=10)
    try:
        child.expect("assword:")
        child.sendline("wrong-1")
        asked_again = child.expect(["assword:", pexpect.EOF]) == 0
        return asked_again, child.before or ""
    finally:
        child.close(force=True)


def exec_display(switch: RunningSwitch, username: str, password: str, command: str = "display version") -> str:
    import paramiko

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(switch.host, switch.port, username, password, look_for_keys=False, allow_agent=False, timeout=10)
    try:
        _, stdout, _ = client.exec_command(command, timeout=10)
        return stdout.read().decode()
    finally:
        client.close()


def test_ssh_configuration_applies_to_running_server(switch: RunningSwitch) -> None:
    import paramiko

    conn = netmiko(switch, global_cmd_verify=True)
    try:
        # a new local user can log in at once
        with pytest.raises(paramiko.AuthenticationException):
            exec_display(switch, "ops", "Ops-Pass-77")
        output = conn.send_config_set(
            ["local-user ops", "password simple Ops-Pass-77", "service-type ssh", "authorization-attribute level 3"]
        )
        assert not ERROR_RE.search(output), output
        assert VERSION_TEXT in exec_display(switch, "ops", "Ops-Pass-77")
        ops = netmiko(switch, "ops", "Ops-Pass-77", global_cmd_verify=True)
        try:
            assert ops.check_config_mode() is False
            assert "[SW7906E-vlan50]" in ops.send_config_set(["vlan 50"])  # level 3: system view allowed
        finally:
            ops.disconnect()

        # authentication-retries applies to the next login
        asked_again, _ = wrong_password_then(switch)
        assert asked_again, "default retries (3) should allow a second try"
        conn.send_config_set(["ssh server authentication-retries 1"])
        assert "SSH authentication retries : 1 time(s)" in conn.send_command("display ssh server status")
        asked_again, printed = wrong_password_then(switch)
        assert not asked_again and "Too many authentication failures" in printed, printed
        switch.wait_log(r"peer=.*(?i:too many authentication failures)")
        assert VERSION_TEXT in exec_display(switch, USER, PASSWORD)  # a right password still gets in

        # public-key local create rsa replaces the RSA host key
        before = rsa_host_key(switch)
        conn.config_mode()
        output = conn.send_command("public-key local create rsa", expect_string=r"\[Y/N\]:|modulus\[default = 1024\]:")
        if "[Y/N]" in output:
            output += conn.send_command("y", expect_string=r"modulus\[default = 1024\]:")
        output += conn.send_command("2048", expect_string=r"\[SW7906E\]", read_timeout=60)
        assert "Generating Keys" in output and not ERROR_RE.search(output), output
        after = rsa_host_key(switch)
        assert after != before
        assert paramiko.RSAKey(data=after).get_bits() == 2048

        # undo ssh server enable: new connections are closed without a banner; the old one lives on
        conn.send_command("undo ssh server enable", expect_string=r"\[SW7906E\]")
        for _ in range(2):
            with socket.create_connection((switch.host, switch.port), timeout=5) as sock:
                sock.settimeout(5)
                assert sock.recv(256) == b""
        switch.wait_log(r"refused: SSH server disabled")
        assert "SSH server: Disable" in conn.send_command("display ssh server status")
        conn.send_command("ssh server enable", expect_string=r"\[SW7906E\]")
        with socket.create_connection((switch.host, switch.port), timeout=5) as sock:
            sock.settimeout(5)
            assert sock.recv(256).startswith(b"SSH-")
        assert VERSION_TEXT in exec_display(switch, USER, PASSWORD)
    finally:
        conn.disconnect()
