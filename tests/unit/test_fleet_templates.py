"""Template rendering with StrictUndefined, per device."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.fleet.inventory import Host
from agent.fleet.templates import Renderer

ROOT = Path(__file__).resolve().parents[2]


def host(name: str = "sw1", **data: object) -> Host:
    return Host(name, "127.0.0.1", 22, "admin", "hp_comware", ["g"], dict(data))


def test_render_per_device(tmp_path: Path) -> None:
    (tmp_path / "a.j2").write_text("vlan {{ vid }}\n name {{ host.name }}-{{ index }}\n")
    renderer = Renderer([tmp_path / "a.j2"])
    assert renderer.render(host("sw1", vid=10), 0) == "vlan 10\n name sw1-0\n"
    assert renderer.render(host("sw2", vid=20), 1) == "vlan 20\n name sw2-1\n"


def test_strict_undefined_names_template_host_and_variable(tmp_path: Path) -> None:
    (tmp_path / "a.j2").write_text("vlan {{ vid }}\n")
    with pytest.raises(ConfigError) as info:
        Renderer([tmp_path / "a.j2"]).render(host("sw9"))
    assert "a.j2" in str(info.value) and "sw9" in str(info.value) and "'vid'" in str(info.value)


def test_syntax_error_names_line(tmp_path: Path) -> None:
    (tmp_path / "bad.j2").write_text("ok\n{% for x in %}\n")
    with pytest.raises(ConfigError, match=r"bad\.j2:2: template syntax error"):
        Renderer([tmp_path / "bad.j2"])


def test_shipped_templates_render_comware_layout() -> None:
    text = Renderer([ROOT / "templates"], {"ops_password": "Pw-1"}).render(host("SW-1", site="lab"), 0)
    lines = text.splitlines()
    assert "vlan 10" in lines and " name users" in lines
    assert "interface GigabitEthernet2/0/1" in lines and " description uplink 1 of SW-1" in lines
    assert " undo ssh server compatible-ssh1x enable" in lines
    assert " snmp-agent sys-info location lab rack 1" in lines
    assert all(x == x.rstrip() for x in lines)
    headers = [x for x in lines if x and not x.startswith((" ", "#"))]
    assert all(x.split()[0] in ("vlan", "interface", "local-user") for x in headers)
    assert " undo snmp-agent community public" in lines
    # SSH1-only devices are not told to drop SSH1 compatibility.
    ssh1 = Renderer([ROOT / "templates"], {"ops_password": "Pw-1"}).render(host("SW-2", ssh1_only=True), 0)
    assert "compatible-ssh1x" not in ssh1 and "local-user ops" in ssh1


def test_shipped_templates_need_ops_password_rather_than_dropping_the_user() -> None:
    """A missing --var is an error naming the template and the variable, not a silently absent section."""
    with pytest.raises(ConfigError) as info:
        Renderer([ROOT / "templates"]).render(host("SW-2"), 0)
    message = str(info.value)
    assert "30-local-users.j2" in message and "SW-2" in message and "'ops_password'" in message
    assert "--var ops_password=VALUE" in message


def test_snmp_template_keeps_a_public_community_it_is_asked_for() -> None:
    text = Renderer([ROOT / "templates/50-snmp.j2"]).render(host("SW-1", snmp_community="public"), 0)
    assert " snmp-agent community read public" in text and "undo snmp-agent community public" not in text


def test_mask_text_hides_passwords_in_rendered_configuration() -> None:
    from agent.fleet.configdiff import mask_text

    text = Renderer([ROOT / "templates"], {"ops_password": "Ops-pass-1"}).render(host("SW-1"), 0)
    assert " password simple Ops-pass-1\n" in text
    masked = mask_text(text)
    assert "Ops-pass-1" not in masked and " password simple ******\n" in masked
    assert mask_text(" super password level 3 simple Sup-1\n description password simple\n") == (
        " super password level 3 simple ******\n description password simple\n")
    assert masked.replace(" password simple ******", "") == text.replace(" password simple Ops-pass-1", "")
