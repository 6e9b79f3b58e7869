"""Lab planning and spec files: names, addresses, state folders, errors with file/line/field."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.lab.plan import plan_lab, slice_slots
from agent.lab.spec import DeviceGroup, LabSpec, load_spec


def test_plan_ports_names_and_state(tmp_path: Path) -> None:
    spec = LabSpec(devices=[DeviceGroup(profile="3com-s7906e", count=40), DeviceGroup(profile="3com-s7906e-ssh1", count=10)])
    slots = plan_lab(spec, listen=("127.0.0.1", 20000), state=tmp_path)
    assert len(slots) == 50
    assert (slots[0].name, slots[0].port, slots[0].state_dir) == ("SW7906E-001", 20000, tmp_path / "SW7906E-001")
    assert (slots[49].name, slots[49].port, slots[49].group) == ("SW7906E-050", 20049, "3com-s7906e-ssh1")
    assert [s.data["ssh1_only"] for s in slots].count(True) == 10
    parts = slice_slots(slots, 3)
    assert sorted(s.index for p in parts for s in p) == list(range(50))


def test_plan_loopback_addresses(tmp_path: Path) -> None:
    spec = LabSpec(devices=[DeviceGroup(profile="3com-s7906e", count=300)])
    slots = plan_lab(spec, listen=("127.0.0.2", 2222), state=tmp_path, loopback=True)
    assert (slots[0].host, slots[254].host, slots[299].host) == ("127.0.0.2", "127.0.1.0", "127.0.1.45")
    assert {s.port for s in slots} == {2222}


def test_spec_errors_name_file_line_field(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("devices:\n  - profile: 3com-s7906e\n    count: 0\n")
    with pytest.raises(ConfigError, match=rf"^{path}:3: lab spec field 'devices.0.count'"):
        load_spec(path)


def test_spec_unknown_profile_names_file_line_field_and_places(tmp_path: Path) -> None:
    path = tmp_path / "lab-spec.yaml"
    path.write_text("devices:\n  - {profile: 3com-s7906e, count: 1}\n  - profile: nosuch\n    count: 2\n")
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: lab spec field 'devices.1.profile': no such profile 'nosuch' (looked in ")
    assert str(tmp_path / "nosuch") in message and "device_profiles/nosuch.yaml" in message


def test_spec_profiles_resolve_next_to_the_spec_then_by_name(tmp_path: Path) -> None:
    from agent.profiles.loader import PROFILE_DIR

    (tmp_path / "mine.yaml").write_text((PROFILE_DIR / "3com-s7906e.yaml").read_text())
    path = tmp_path / "spec.yaml"
    path.write_text("devices:\n  - {profile: mine.yaml, count: 1}\n  - {profile: 3com-s7906e-ssh1, count: 1}\n")
    spec = load_spec(path)
    assert [Path(g.profile) for g in spec.devices] == [tmp_path / "mine.yaml", PROFILE_DIR / "3com-s7906e-ssh1.yaml"]
    slots = plan_lab(spec, listen=("127.0.0.1", 0), state=tmp_path / "state")
    assert [s.data["profile"] for s in slots] == ["mine", "3com-s7906e-ssh1"]


def test_lab_cli_unknown_profile_says_where_it_looked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from agent.main import main

    assert main(["lab", "--profile", "nosuch", "--state", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "--profile: no such profile 'nosuch' (looked in " in err and "device_profiles/nosuch.yaml" in err
