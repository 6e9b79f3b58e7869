"""`ip host NAME IP` / `display ip host`: CLI, configuration (saved, shown, reloaded), fleet diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.fleet import configdiff
from tests.helpers import PASSWORD, USER, make_device
from tests.interop.switch_process import running_switch

NETMIKO_CONFIG = ["ip host test1 1.1.1.1", "undo ip host test1 1.1.1.1", "ip host test1 1.1.1.2"]  # netmiko's own test


def run(device, *lines: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    cli = device.open_cli(USER, 3, interactive=False)
    out = []
    for line in ["system-view", *lines]:
        output, status = cli.execute(line)
        out.append((output.decode(), status))
    return out[1:]


def test_add_replace_undo_and_display(device) -> None:  # type: ignore[no-untyped-def]
    results = run(device, *NETMIKO_CONFIG, "ip host db-2 10.0.0.9", "display ip host")
    assert all(status == 0 for _, status in results)
    table = results[-1][0].replace("\r\n", "\n").splitlines()
    assert table[0].split() == ["Host", "Age", "Flags", "Address"]
    assert [row.split() for row in table[1:]] == [["db-2", "0", "static", "10.0.0.9"], ["test1", "0", "static", "1.1.1.2"]]
    config = device.render_configuration()
    assert " ip host db-2 10.0.0.9\n ip host test1 1.1.1.2\n" in config
    assert config.index(" ip host") > config.index("interface NULL0")  # after the interfaces
    ((_, status),) = run(device, "undo ip host db-2")
    assert status == 0 and "db-2" not in device.render_configuration()


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("ip host 1234 1.1.1.1", "Wrong parameter"),  # a name needs a letter
        ("ip host name_longer_than_twenty 1.1.1.1", "Wrong parameter"),
        ("ip host web 1.1.1", "Wrong parameter"),
        ("ip host web", "Incomplete command"),
    ],
)
def test_bad_input_is_refused(device, line: str, error: str) -> None:  # type: ignore[no-untyped-def]
    ((output, status),) = run(device, line)
    assert status == 1 and error in output
    assert " ip host" not in device.render_configuration()


def test_undo_with_another_address_is_an_error(device) -> None:  # type: ignore[no-untyped-def]
    results = run(device, "ip host web 10.1.1.1", "undo ip host web 10.1.1.2", "undo ip host missing")
    assert results[1] == (" Error: The host name and the IP address do not match.\r\n", 1)
    assert results[2][1] == 0  # nothing to remove is not an error
    assert " ip host web 10.1.1.1" in device.render_configuration()


def test_saved_and_back_after_reboot(tmp_path: Path) -> None:
    device = make_device(tmp_path / "state")
    run(device, "ip host web 10.1.1.1")
    device.save()
    device.reboot()
    assert " ip host web 10.1.1.1" in device.render_configuration()
    again = make_device(tmp_path / "state")  # a new process reads the saved file
    ((output, _),) = run(again, "display ip host")
    assert "web" in output and "10.1.1.1" in output


def test_fleet_diff_replaces_the_address_and_undoes_by_name() -> None:
    running = configdiff.parse_config("#\n ip host web 10.1.1.1\n ip host db 10.1.1.5\n#\nreturn\n")
    intent = configdiff.parse_config(" ip host web 10.1.1.2\n")
    assert configdiff.diff(intent, running).commands() == ["ip host web 10.1.1.2"]
    assert configdiff.diff(configdiff.parse_config(" ip host web 10.1.1.1\n"), running).empty
    assert configdiff.undo_of("ip host web 10.1.1.1") == "undo ip host web"
    removal = configdiff.parse_config(" undo ip host db\n")
    assert configdiff.diff(removal, running).commands() == ["undo ip host db"]
    gone = configdiff.parse_config("#\n ip host web 10.1.1.1\n#\nreturn\n")
    assert configdiff.diff(removal, gone).empty  # nothing left to remove: sent once only


@pytest.mark.interop
def test_netmikos_own_config_test(tmp_path: Path) -> None:
    """netmiko's hp_comware config test (tests/etc/commands.yml.example) against a served device."""
    from netmiko import ConnectHandler

    with running_switch(tmp_path / "state", [f"{USER}:{PASSWORD}:3"]) as switch:
        conn = ConnectHandler(device_type="hp_comware", host=switch.host, port=switch.port, username=USER,
                              password=PASSWORD, timeout=20, conn_timeout=10)
        try:
            conn.send_config_set(NETMIKO_CONFIG)
            shown = conn.send_command("display current-configuration")
        finally:
            conn.disconnect()
    assert " ip host test1 1.1.1.2" in shown
    assert "1.1.1.1" not in shown
