"""Secrets out of reach: USM keys are kept localized (`cipher`), and the configuration is for level 2+.

Before: SNMPv3 USM keys were stored in clear in the state folder, and a level-1 user could read
them in `display current-configuration`.
"""

from __future__ import annotations

from pathlib import Path

from agent.snmp.access import credentials
from tests.helpers import Term, make_device

AUTH, PRIV = "Auth-Key-0001", "Priv-Key-0001"
USER_LINE = f"snmp-agent usm-user v3 netops grp authentication-mode sha {AUTH} privacy-mode aes128 {PRIV}"


def test_usm_keys_are_stored_and_shown_localized(tmp_path: Path) -> None:
    device = make_device(tmp_path / "sw")
    Term(device).run("system-view", USER_LINE, "quit")
    reader = Term(device)
    reader.line("screen-length disable")
    shown = reader.line("display current-configuration")
    line = next(x for x in shown.splitlines() if "usm-user" in x)
    assert " cipher authentication-mode sha " in line and "privacy-mode aes128" in line
    assert AUTH not in shown and PRIV not in shown
    device.save()
    saved = device.config_path.read_text()
    assert AUTH not in saved and PRIV not in saved and line.strip() in saved
    # The stored form is what the agent uses: localized keys, the same user after a reboot.
    (user,) = credentials(device).users
    assert user.localized and user.auth == "sha" and user.priv == "aes128"
    device.reboot()
    assert credentials(device).users == (user,)
    # Configuring the user again replaces it (the most recent configuration takes effect).
    Term(device).run("system-view", USER_LINE.replace(AUTH, "Auth-Key-0002"), "quit")
    assert len(device.snmp.usm_users) == 1
    (again,) = credentials(device).users
    assert again.auth_key != user.auth_key


def test_a_monitor_level_user_cannot_read_the_configuration(tmp_path: Path) -> None:
    device = make_device(tmp_path / "sw")
    monitor = Term(device, level=1, user="monitor")
    for command in ("display current-configuration", "display saved-configuration",
                    "display current-configuration | include usm"):
        assert "Unrecognized command" in monitor.line(command), command
    assert "Comware Software" in monitor.line("display version")  # level 1 still displays the rest
    system = Term(device, level=2, user="operator")
    system.line("screen-length disable")
    assert "return" in system.line("display current-configuration")
