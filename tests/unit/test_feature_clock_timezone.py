"""`clock timezone NAME add|minus HH:MM:SS`: display clock, configuration, reboot, fleet diff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ntc_templates.parse import parse_output

from agent.fleet import configdiff
from tests.helpers import USER, make_device


def run(device, *lines: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    cli = device.open_cli(USER, 3, interactive=False)
    return [(output.decode().replace("\r\n", "\n"), status) for output, status in map(cli.execute, lines)]


def shown_time(clock_output: str) -> datetime:
    first = clock_output.splitlines()[0].split()
    return datetime.strptime(f"{first[0]} {first[3]}", "%H:%M:%S %m/%d/%Y").replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "zone", "offset"),
    [
        ("clock timezone BJ add 08:00:00", "BJ add 08:00:00", timedelta(hours=8)),
        ("clock timezone NYC minus 5:00", "NYC minus 05:00:00", timedelta(hours=-5)),
        ("clock timezone IST add 05:30:00", "IST add 05:30:00", timedelta(hours=5, minutes=30)),
    ],
)
def test_display_clock_shows_the_zone_and_local_time(device, line: str, zone: str, offset: timedelta) -> None:  # type: ignore[no-untyped-def]
    before = datetime.now(UTC).replace(microsecond=0)
    (_, status), (shown, _) = run(device, line, "display clock")
    after = datetime.now(UTC)
    assert status == 0
    assert shown.splitlines()[1] == f"Time Zone : {zone}"
    assert shown.split()[1] == zone.split()[0]
    assert before + offset - timedelta(seconds=1) <= shown_time(shown) <= after + offset
    parsed = parse_output(platform="hp_comware", command="display clock", data=shown)
    assert parsed and parsed[0]["timezone"] == zone.split()[0]


def test_utc_until_set_and_after_undo(device) -> None:  # type: ignore[no-untyped-def]
    outputs = run(device, "display clock", "clock timezone CET add 01:00:00", "undo clock timezone", "display clock")
    for shown, _ in (outputs[0], outputs[3]):
        assert shown.splitlines()[1] == "Time Zone : UTC add 00:00:00"
    assert "clock timezone" not in device.render_configuration()


@pytest.mark.parametrize("offset", ["24:00:00", "08:60:00", "8", "08-00-00"])
def test_bad_offset_is_refused(device, offset: str) -> None:  # type: ignore[no-untyped-def]
    ((shown, status),) = run(device, f"clock timezone BJ add {offset}")
    assert status == 1 and "Wrong parameter" in shown
    assert "clock timezone" not in device.render_configuration()


def test_configuration_saved_and_read_back(tmp_path: Path) -> None:
    device = make_device(tmp_path / "state")
    run(device, "clock timezone BJ add 08:00:00")
    config = device.render_configuration()
    assert config.index(" clock timezone BJ add 08:00:00") > config.index(" sysname ")
    device.save()
    again = make_device(tmp_path / "state")
    ((shown, _),) = run(again, "display clock")
    assert "Time Zone : BJ add 08:00:00" in shown


def test_fleet_diff_replaces_the_zone() -> None:
    running = configdiff.parse_config("#\n sysname SW\n clock timezone BJ add 08:00:00\n#\nreturn\n")
    intent = configdiff.parse_config(" clock timezone CET add 01:00:00\n")
    assert configdiff.diff(intent, running).commands() == ["clock timezone CET add 01:00:00"]
    assert configdiff.undo_of("clock timezone BJ add 08:00:00") == "undo clock timezone"
    assert configdiff.diff(configdiff.parse_config(" clock timezone BJ add 08:00:00\n"), running).empty
