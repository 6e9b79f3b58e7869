"""Property tests: random keystrokes never crash a session; configurations round-trip losslessly."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import make_device

_DEVICE_DIR = Path(tempfile.mkdtemp(prefix="cli-prop-"))
_DEVICE = make_device(_DEVICE_DIR, users=[])

WORDS = ["display", "dis", "interface", "int", "g2/0/1", "vlan", "10", "undo", "port", "link-type", "trunk",
         "permit", "all", "to", "|", "include", "?", "system-view", "quit", "return", "save", "n", "y",
         "description", "screen-length", "disable", "local-user", "x", "4095", "ip", "address", "1.2.3.4", "24",
         "super", "reboot"]
KEYS = st.sampled_from(["\r", "\n", "\t", "?", "\x03", "\x1a", "\x7f", "\x08", "\x01", "\x05", "\x15", "\x17",
                        "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b", "\x00", " ", "\xff"])
CHUNK = st.one_of(st.sampled_from(WORDS).map(lambda w: w + " "), KEYS, st.text(max_size=6))
ALLOWED = re.compile(r"% (Unrecognized command|Incomplete command|Ambiguous command|Too many parameters|"
                     r"Wrong parameter) found at '\^' position\.$")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHUNK, max_size=25))
def test_random_keystrokes_only_get_comware_replies(chunks):
    session = _DEVICE.open_cli("admin", 3, interactive=True)
    session.start()
    data = "".join(chunks).replace("reboot", "rebo").encode("utf-8", "replace")
    out = session.feed(data) + session.feed(b"\x03\x1a\n")
    decoded = out.decode("utf-8")
    assert "Failed to execute" not in decoded
    for line in decoded.split("\r\n"):
        if "found at '^' position" in line:
            assert ALLOWED.search(line.strip()), line
    assert session.closed or decoded.endswith(session.prompt)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=127), max_size=40), max_size=8))
def test_random_exec_lines(lines):
    session = _DEVICE.open_cli("admin", 1, interactive=False)
    for line in lines:
        out, status = session.execute(line)
        assert status in (0, 1)
        assert b"Failed to execute" not in out


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
descriptions = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABC0123456789-_.", min_size=1, max_size=30).map(
    str.strip).filter(bool)
vids = st.integers(min_value=2, max_value=4094)


@st.composite
def config_scripts(draw):
    lines = ["system-view"]
    vlan_ids = draw(st.lists(vids, max_size=5, unique=True))
    for vid in vlan_ids:
        lines.append(f"vlan {vid}")
        if draw(st.booleans()):
            lines.append(f"name {draw(names)}")
        if draw(st.booleans()):
            lines.append(f"description {draw(descriptions)}")
        lines.append("quit")
    ports = draw(st.lists(st.sampled_from(["GigabitEthernet2/0/1", "GigabitEthernet3/0/7",
                                           "Ten-GigabitEthernet4/0/2", "GigabitEthernet2/0/48"]),
                          max_size=3, unique=True))
    for port in ports:
        lines.append(f"interface {port}")
        kind = draw(st.sampled_from(["access", "trunk", "hybrid"]))
        if draw(st.booleans()):
            lines.append(f"description {draw(descriptions)}")
        if draw(st.booleans()):
            lines.append("shutdown")
        lines.append(f"port link-type {kind}")
        pick = draw(st.lists(st.sampled_from([1, *vlan_ids]), max_size=4, unique=True)) if vlan_ids else [1]
        if kind == "access" and vlan_ids:
            lines.append(f"port access vlan {draw(st.sampled_from(vlan_ids))}")
        elif kind == "trunk":
            if draw(st.booleans()):
                lines.append("undo port trunk permit vlan 1")
            if draw(st.booleans()):
                lines.append("port trunk permit vlan all")
            elif pick:
                lines.append(f"port trunk permit vlan {' '.join(map(str, pick))}")
            lines.append(f"port trunk pvid vlan {draw(st.sampled_from([1, *vlan_ids]))}")
        elif kind == "hybrid" and pick:
            lines.append(f"port hybrid vlan {' '.join(map(str, pick))} {draw(st.sampled_from(['tagged', 'untagged']))}")
            if draw(st.booleans()):
                lines.append("undo port hybrid vlan 1")
            lines.append(f"port hybrid pvid vlan {draw(st.sampled_from([1, *vlan_ids]))}")
        lines.append("quit")
    for vid in draw(st.lists(st.sampled_from(vlan_ids), max_size=2, unique=True)) if vlan_ids else []:
        lines += [f"interface Vlan-interface {vid}", f"ip address 10.{vid % 250}.0.1 {draw(st.integers(8, 30))}",
                  "quit"]
    for user in draw(st.lists(names, max_size=2, unique=True)):
        lines += [f"local-user {user}", f"password simple {draw(names)}",
                  f"service-type {' '.join(draw(st.lists(st.sampled_from(['ssh', 'telnet', 'terminal']), min_size=1, unique=True)))}"]
        if draw(st.booleans()):
            lines.append(f"authorization-attribute level {draw(st.integers(0, 3))}")
        if draw(st.booleans()):
            lines.append("state block")
        lines.append("quit")
    if draw(st.booleans()):
        lines.append(f"ssh server authentication-retries {draw(st.integers(1, 5))}")
    if draw(st.booleans()):
        lines.append("undo ssh server compatible-ssh1x enable")
    if draw(st.booleans()):
        lines.append(f"snmp-agent sys-info location {draw(descriptions)}")
    if draw(st.booleans()):
        lines.append(f"snmp-agent sys-info version {draw(st.sampled_from(['all', 'v1 v2c', 'v2c']))}")
    lines += ["user-interface vty 0 15", f"idle-timeout {draw(st.integers(0, 60))} {draw(st.integers(0, 59))}",
              f"user privilege level {draw(st.integers(0, 3))}", "return"]
    return lines


@settings(max_examples=40, deadline=None)
@given(config_scripts())
def test_configuration_round_trip(script):
    with tempfile.TemporaryDirectory() as tmp:
        dev = make_device(tmp, users=[])
        session = dev.open_cli("admin", 3, interactive=False)
        for line in script:
            out, status = session.execute(line)
            assert status == 0, (line, out)
        dev.save()
        again = make_device(tmp, users=[])
        assert again.config_errors == []
        assert again.render_configuration() == dev.render_configuration()
        for name, port in dev.ports.items():
            assert again.ports[name] == port
        assert again.vlans == dev.vlans and again.vlan_interfaces == dev.vlan_interfaces
        assert again.local_users == dev.local_users and again.vty == dev.vty and again.ssh == dev.ssh
        assert again.snmp == dev.snmp
