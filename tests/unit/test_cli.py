"""CLI engine behaviours: views, abbreviations, errors, help, Tab, history, paging, dialogues, levels."""

from __future__ import annotations

import pytest

from tests.helpers import Term, make_device, text


@pytest.fixture
def dev(tmp_path):
    return make_device(tmp_path, users=[])


@pytest.fixture
def term(dev):
    return Term(dev)


def test_start_banner_and_prompt(term):
    assert "3Com Corp." in term.banner
    assert term.banner.endswith("\n\n<SW7906E>")


def test_press_enter_banner(tmp_path):
    dev = make_device(tmp_path, users=[], press_enter_banner=True)
    t = Term(dev)
    assert t.banner.endswith("Press Y or ENTER to continue, N to exit.")
    assert t.send("\n") == "\n<SW7906E>"
    t2 = Term(dev)
    t2.send("n")
    assert t2.session.closed


def test_views_and_prompts(term):
    assert term.line("system-view") == "system-view\nSystem View: return to User View with Ctrl+Z.\n[SW7906E]"
    assert term.line("interface GigabitEthernet2/0/1").endswith("\n[SW7906E-GigabitEthernet2/0/1]")
    assert term.line("vlan 10").endswith("[SW7906E-vlan10]")  # sibling view straight from a sub-view
    assert term.line("interface Vlan-interface 10").endswith("[SW7906E-Vlan-interface10]")
    assert term.line("local-user admin").endswith("[SW7906E-luser-admin]")
    assert term.line("user-interface vty 0 15").endswith("[SW7906E-ui-vty0-15]")
    assert term.line("quit").endswith("\n[SW7906E]")
    assert term.line("int g2/0/2").endswith("[SW7906E-GigabitEthernet2/0/2]")
    assert term.send("\x1a").endswith("<SW7906E>")
    term.line("quit")
    assert term.session.closed


def test_abbreviations(term, dev):
    term.run("sys", "int g2/0/1", "port link-t t", "port t pe vlan all", "desc up link")
    port = dev.ports["GigabitEthernet2/0/1"]
    assert port.link_type == "trunk" and port.description == "up link"
    assert "interface GigabitEthernet2/0/1" in term.line("dis cur int g2/0/1")
    assert "port trunk permit vlan all" in term.line("dis this")


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("dispaly version", 9, "% Unrecognized command found at '^' position."),
        ("display", 16, "% Incomplete command found at '^' position."),
        ("s", 9, "% Ambiguous command found at '^' position."),
        ("display clock now", 23, "% Too many parameters found at '^' position."),
        ("display vlan 5000", 22, "% Wrong parameter found at '^' position."),
    ],
)
def test_error_lines_with_caret(term, line, column, message):
    out = term.line(line).split("\n")
    assert out[1] == " " * column + "^"
    assert out[2] == " " + message
    assert out[3] == "<SW7906E>"


def test_help_lists_keywords_and_redisplays(term):
    out = term.send("display v?")
    assert "  version" in out and "  vlan" in out
    assert out.endswith("<SW7906E>display v")
    term.send("\x15")
    out = term.send("display vlan ?")
    assert "<1-4094>" in out and "<cr>" in out and "brief" in out
    term.send("\x15")
    out = term.send("?")
    assert out.startswith("?\nUser view commands:\n")
    assert "system-view" in out


def test_levels_hide_commands(dev):
    t = Term(dev, level=1)
    assert "% Unrecognized command" in t.line("system-view")
    assert "system-view" not in t.send("?")
    t.send("\x15")
    assert "3Com Comware Platform Software" in t.line("display version")
    t0 = Term(dev, level=0)
    assert "% Unrecognized command" in t0.line("display version")


def test_super_dialogue(dev):
    t = Term(dev, level=3)
    t.run("system-view", "super password level 3 simple sup3r-pw", "return")
    low = Term(dev, level=1)
    out = low.line("super")
    assert "Please input the password" in out and out.endswith(" Password:")
    out = low.send("sup3r-pw\n")
    assert "sup3r-pw" not in out, "password is not echoed"
    assert "User privilege level is 3" in out
    assert low.session.level == 3


def test_tab_completion(term):
    assert term.send("dis\t") == "dis\n<SW7906E>display "
    assert term.send("cl\t") == "cl\n<SW7906E>display clock "
    term.send("\x15")
    first = term.send("display s\t")
    assert first.endswith("display saved-configuration")
    second = term.send("\t")
    assert "display snmp-agent" in second or "display ssh" in second


def test_line_editing(term):
    term.send("display clockk")
    term.send("\x7f")
    term.send("\x01")  # home
    term.send("\x05")  # end
    out = term.send("\n")
    assert "UTC" in out
    term.send("abc def")
    term.send("\x17")
    assert term.session.editor.buffer == "abc "
    term.send("\x15")
    assert term.session.editor.buffer == ""
    term.send("display clck")
    term.send("\x1b[D\x1b[D")
    term.send("o")
    assert term.session.editor.buffer == "display clock"


def test_history(term):
    term.line("display clock")
    term.line("display version | include uptime")
    term.send("\x1b[A")
    assert term.session.editor.buffer == "display version | include uptime"
    term.send("\x1b[A")
    assert term.session.editor.buffer == "display clock"
    term.send("\x1b[B\x1b[B")
    assert term.session.editor.buffer == ""
    out = term.line("display history-command")
    assert "  display clock" in out


def test_paging_more_and_screen_length(term):
    out = term.line("display interface")
    assert out.endswith("  ---- More ----")
    assert out.count("\n") == 25
    out = term.send(" ")
    assert out.startswith("\x1b[16D                \x1b[16D")
    assert out.endswith("  ---- More ----")
    out = term.send("\r")
    assert out.count("\n") == 1
    out = term.send("\x03")
    assert out.endswith("<SW7906E>")
    assert term.line("screen-length disable").endswith(
        "% Screen-length configuration is disabled for current user.\n<SW7906E>")
    assert "---- More ----" not in term.line("display interface")


def test_filters(term):
    out = term.line("display current-configuration | include ^vlan")
    assert out.split("\n")[1:-1] == ["vlan 1"]
    out = term.line("display current-configuration | begin user-interface")
    assert out.split("\n")[1] == "user-interface vty 0 15"
    out = term.line("display vlan | exclude VLAN")
    assert "exist" not in out


def test_save_dialogue(term, tmp_path):
    out = term.line("save")
    assert out.endswith("The current configuration will be written to the device. Are you sure? [Y/N]:")
    out = term.line("")
    assert out.endswith("Before pressing ENTER you must choose 'YES' or 'NO'[Y/N]:")
    out = term.line("y")
    assert "Please input the file name(*.cfg)[flash:/3comoscfg.cfg]" in out
    assert out.endswith("(To leave the existing filename unchanged, press the enter key):")
    out = term.line("")
    assert "successfully" in out and out.endswith("<SW7906E>")
    assert (tmp_path / "flash" / "3comoscfg.cfg").is_file()
    term.line("save")
    term.line("y")
    out = term.line("")
    assert out.endswith("flash:/3comoscfg.cfg exists, overwrite? [Y/N]:")
    assert term.line("n").endswith("<SW7906E>")
    out = term.line("save force")
    assert " Configuration is saved to device successfully." in out


def test_netmiko_byte_sequence(dev):
    """What netmiko 4.8 hp_comware sends (comware.md section 1), each LF one fresh prompt."""
    s = dev.open_cli("admin", 3, interactive=True, width=511, height=1000)
    s.start()
    assert text(s.feed(b"\n")) == "\n<SW7906E>"
    assert text(s.feed(b"\n")) == "\n<SW7906E>"
    out = text(s.feed(b"screen-length disable\n"))
    assert out.endswith("\n<SW7906E>")
    assert text(s.feed(b"\n")) == "\n<SW7906E>"
    out = text(s.feed(b"system-view\n"))
    assert out == "system-view\nSystem View: return to User View with Ctrl+Z.\n[SW7906E]"
    assert text(s.feed(b"\n")) == "\n[SW7906E]"
    out = text(s.feed(b"interface GigabitEthernet2/0/1\ndescription test\nquit\n"))
    assert out == ("interface GigabitEthernet2/0/1\n[SW7906E-GigabitEthernet2/0/1]description test\n"
                   "[SW7906E-GigabitEthernet2/0/1]quit\n[SW7906E]")
    assert text(s.feed(b"\n")) == "\n[SW7906E]"
    assert text(s.feed(b"return\n")) == "return\n<SW7906E>"
    s.feed(b"\n")
    s.feed(b"system-view\n")
    s.feed(b"\n\n")
    out = text(s.feed(b"save force\n"))
    assert "saved to device successfully" in out and out.endswith("[SW7906E]")
    assert text(s.feed(b"\r\n")) == "\n[SW7906E]", "CR LF is one Enter"
    s.feed(b"return\n\n")
    s.feed(b"quit\n")
    assert s.closed and s.exit_status == 0
    assert dev.ports["GigabitEthernet2/0/1"].description == "test"


def test_two_sessions_share_state(dev):
    a, b = Term(dev), Term(dev)
    a.run("system-view", "vlan 42", "name shared")
    assert "VLAN ID: 42" in b.line("display vlan 42")
    a.line("sysname NEWNAME")
    assert b.line("").endswith("<NEWNAME>")


def test_exec_mode(dev):
    s = dev.open_cli("admin", 3, interactive=False)
    out, status = s.execute("display clock")
    assert status == 0 and b"UTC" in out and b"<SW7906E>" not in out
    out, status = s.execute("display nothing")
    assert status == 1 and b"% Unrecognized command found at '^' position." in out
    big, status = s.execute("display interface")
    assert b"More" not in big and status == 0


def test_trunk_and_hybrid_commands(term, dev):
    term.run("system-view", "vlan 10", "vlan 20", "interface GigabitEthernet2/0/3", "port link-type trunk",
             "undo port trunk permit vlan 1", "port trunk permit vlan 10 20", "port trunk pvid vlan 10")
    port = dev.ports["GigabitEthernet2/0/3"]
    tagged, untagged = dev.vlan_members(20)
    assert port in tagged
    assert port in dev.vlan_members(10)[1]
    assert "Error" in term.line("port access vlan 10")
    term.run("port link-type access", "port access vlan 20")
    assert port.access_vlan == 20 and port.link_type == "access"
    assert "Error" in term.line("port access vlan 333")
    term.run("undo port access vlan", "quit", "undo vlan 20")
    assert 20 not in dev.vlans
    term.run("vlan 30", "port GigabitEthernet2/0/10 to GigabitEthernet2/0/12")
    assert [p.index for p in dev.vlan_members(30)[1]] == [10, 11, 12]


def test_ssh_commands_change_live_settings(term, dev):
    out = term.run("system-view", "undo ssh server enable", "ssh server enable")
    assert "Info: Enable SSH server." in out[2]
    term.run("undo ssh server compatible-ssh1x enable", "ssh server authentication-timeout 30",
             "ssh server rekey-interval 2")
    assert dev.ssh.authentication_timeout == 30 and dev.ssh.rekey_interval_hours == 2
    assert dev.ssh_protocol_version() == "2.0"
    status = term.line("display ssh server status")
    assert " SSH version : 2.0" in status and " SSH authentication-timeout : 30 second(s)" in status


def test_public_key_local_create_dialogue(term, dev):
    term.line("system-view")
    dev.host_keys.destroy_rsa()
    out = term.line("public-key local create rsa")
    assert out.endswith("Input the bits of the modulus[default = 1024]:")
    out = term.line("1024")
    assert "Generating Keys..." in out and out.endswith("[SW7906E]")
    assert dev.host_keys.has("rsa")
    assert "Key name: HOST_KEY" in term.line("display public-key local rsa public")
    out = term.line("public-key local destroy rsa")
    assert out.endswith("[Y/N]:")
    term.line("y")
    assert not dev.host_keys.has("rsa")


def test_display_commands_run(term):
    term.line("screen-length disable")
    for cmd in ("display version", "display saved-configuration", "display users", "display ssh server session",
                "display ssh user-information", "display local-user", "display device",
                "display snmp-agent sys-info", "display ip interface brief", "display this"):
        out = term.line(cmd)
        assert "% " not in out or "Unrecognized" not in out, cmd
    assert "3Com Switch 7906E uptime is" in term.line("display version")
