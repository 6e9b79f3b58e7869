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
