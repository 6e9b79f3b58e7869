"""A person at the keyboard: OpenSSH ``ssh -tt`` on a real pty (pexpect), typing into the CLI.

Help with ``?``, Tab completion, abbreviations, the error caret, paging with ``---- More ----``,
the ``save`` dialogue and history (arrow keys), all on one interactive session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSWORD, USER
from tests.interop.switch_process import SSH_OPTS, RunningSwitch, need, running_switch

pytestmark = pytest.mark.interop

UP, DOWN, CTRL_C, CTRL_U, CTRL_Z = "\x1b[A", "\x1b[B", "\x03", "\x15", "\x1a"
MORE = "  ---- More ----"
ERASE_MORE = "\x1b[16D" + " " * 16 + "\x1b[16D"
USER_PROMPT, SYSTEM_PROMPT = "<SW7906E>", "[SW7906E]"


class Terminal:
    """pexpect around ``ssh -tt``; ``until(text)`` returns everything printed up to and including text."""

    def __init__(self, switch: RunningSwitch) -> None:
        import pexpect

        self.pexpect = pexpect
        args = ["-tt", *SSH_OPTS, "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
                "-p", str(switch.port), f"{USER}@{switch.host}"]
        self.child = pexpect.spawn("ssh", args, encoding="utf-8", codec_errors="replace", timeout=10, dimensions=(24, 80))
        self.child.expect("assword:")
        self.child.sendline(PASSWORD)
        self.until(USER_PROMPT)

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def until(self, text: str) -> str:
        self.child.expect_exact(text)
        return str(self.child.before) + text

    def quiet(self, seconds: float = 0.3) -> str:
        """What arrives within ``seconds`` (no more output is expected)."""
        try:
            return str(self.child.read_nonblocking(65536, timeout=seconds))
        except self.pexpect.TIMEOUT:
            return ""

    def close(self) -> None:
        self.child.close(force=True)


def render(stream: str) -> str:
    """The last screen line after ``stream`` (echo with backspaces overwriting), trailing spaces cut."""
    line: list[str] = []
    col = 0
    for ch in stream:
        if ch == "\n":
            line, col = [], 0
        elif ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(col - 1, 0)
        elif ch >= " ":
            line[col:col + 1] = [ch] if col < len(line) else [*([" "] * (col - len(line))), ch]
            col += 1
    return "".join(line).rstrip()


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Terminal]:
    need("ssh")
    with running_switch(tmp_path / "state", [f"{USER}:{PASSWORD}:3"]) as switch:
        terminal = Terminal(switch)
        try:
            yield terminal
        finally:
            terminal.close()


def test_help_completion_abbreviation_and_caret(term: Terminal) -> None:
    # ? on an empty line: the view's keywords with descriptions, then the prompt again
    term.send("?")
    out = term.until(USER_PROMPT)
    assert "User view commands:" in out
    assert re.search(r"^  display\s+Display current system information\r$", out, re.M), out
    assert re.search(r"^  system-view\s+Enter the System View\r$", out, re.M)

    # ? after a keyword: the next words, and the typed line is given back
    term.send("display ?")
    out = term.until(USER_PROMPT + "display ")
    assert re.search(r"^  current-configuration\s+\S", out, re.M) and re.search(r"^  version\s+\S", out, re.M)
    term.send("version ?")
    assert "  <cr>" in term.until(USER_PROMPT + "display version ")
    term.send(CTRL_U)
    term.quiet()

    # a partial word with ? lists what it could become
    term.send("dis?")
    out = term.until(USER_PROMPT + "dis")
    assert re.search(r"^  display\s+Display", out, re.M)
    term.send(CTRL_U)
    term.quiet()

    # Tab completes the keyword; the line runs as completed
    term.send("dis\t")
    term.until(USER_PROMPT + "display ")
    term.send("ver\t")
    term.until("display version ")
    term.send("\r")
    assert "Comware Software, Version 5.20, Release 6616P01" in term.until(MORE)
    term.send("q")
    assert term.until(USER_PROMPT).startswith(ERASE_MORE)

    # abbreviations
    term.send("screen-l d\r")
    assert "% Screen-length configuration is disabled for current user." in term.until(USER_PROMPT)
    term.send("dis cur int g2/0/1\r")
    out = term.until(USER_PROMPT)
    assert "#\r\ninterface GigabitEthernet2/0/1\r\n#\r\nreturn\r\n" in out, out
    term.send("sys\r")
    assert "System View: return to User View with Ctrl+Z." in term.until(SYSTEM_PROMPT)
    term.send("int g2/0/3\r")
    term.until("[SW7906E-GigabitEthernet2/0/3]")
    term.send("port link-t t\r")
    term.until("[SW7906E-GigabitEthernet2/0/3]")
    term.send("dis th\r")
    assert " port link-type trunk\r\n" in term.until("[SW7906E-GigabitEthernet2/0/3]")
    term.send("vlan ?")
    out = term.until("[SW7906E-GigabitEthernet2/0/3]vlan ")
    assert re.search(r"^  <1-4094>\s+VLAN ID\r$", out, re.M), out
    term.send(CTRL_U)
    term.send(CTRL_Z)
    term.until("\r\n" + USER_PROMPT)

    # an error: the caret sits under the first bad character, counting the prompt
    term.send("dispaly version\r")
    out = term.until(USER_PROMPT)
    assert "\r\n" + " " * len(USER_PROMPT) + "^\r\n % Unrecognized command found at '^' position.\r\n" in out, out
    term.send("display versoin\r")
    out = term.until(USER_PROMPT)
    assert "\r\n" + " " * (len(USER_PROMPT) + len("display ")) + "^\r\n % Unrecognized command found at '^' position." in out
    term.send("display\r")
    assert "% Incomplete command found at '^' position." in term.until(USER_PROMPT)
    term.send("display version extra\r")
    assert "% Too many parameters found at '^' position." in term.until(USER_PROMPT)


def test_paging_save_dialogue_and_history(term: Terminal) -> None:
    # paging: 24 lines, then More; space = next page, Enter = one line, q or Ctrl+C = stop
    term.send("display current-configuration\r")
    first = term.until(MORE)
    body = first.split("\r\n", 1)[1]
    assert body.startswith("#\r\n version 5.20") and body.count("\r\n") == 24, body
    term.send(" ")
    page = term.until(MORE)
    assert page.startswith(ERASE_MORE) and page.count("\r\n") == 24
    term.send("\r")
    line = term.until(MORE)
    assert line.startswith(ERASE_MORE) and line.count("\r\n") == 1
    term.send(CTRL_C)
    assert term.until(USER_PROMPT) == ERASE_MORE + USER_PROMPT
    assert term.quiet() == ""
    # an arrow key at More ends paging and is swallowed whole (no "[A" left on the line)
    term.send("display interface\r")
    term.until(MORE)
    term.send(UP)
    assert term.until(USER_PROMPT) == ERASE_MORE + USER_PROMPT
    assert term.quiet() == ""

    # save: Y/N (Enter alone is refused), default file name, then overwrite on the second save
    term.send("save\r")
    term.until("Are you sure? [Y/N]:")
    term.send("\r")
    term.until("Before pressing ENTER you must choose 'YES' or 'NO'[Y/N]:")
    term.send("y\r")
    out = term.until("(To leave the existing filename unchanged, press the enter key):")
    default = re.search(r"\[(flash:/\S+\.cfg)\]", out)
    assert default, out
    term.send("\r")
    out = term.until(USER_PROMPT)
    assert "successfully" in out, out
    term.send("save\r")
    term.until("[Y/N]:")
    term.send("y\r")
    term.until("press the enter key):")
    term.send("\r")
    term.until(f"{default.group(1)} exists, overwrite? [Y/N]:")
    term.send("y\r")
    assert "Configuration is saved to device successfully." in term.until(USER_PROMPT)
    term.send("save\r")
    term.until("[Y/N]:")
    term.send("n\r")
    assert "successfully" not in term.until(USER_PROMPT)

    # history: up recalls the last command, up again the one before, down goes forward
    term.send("display clock\r")
    term.until(USER_PROMPT)
    term.send("display vlan\r")
    term.until(USER_PROMPT)
    screen = USER_PROMPT
    for key, shown in ((UP, "display vlan"), (UP, "display clock"), (DOWN, "display vlan"), (UP, "display clock")):
        term.send(key)
        screen += term.quiet()
        assert render(screen) == USER_PROMPT + shown, repr(screen)
    term.send("\r")
    out = term.until(USER_PROMPT)
    assert re.search(r"\d\d:\d\d:\d\d UTC \w{3} \d\d/\d\d/\d{4}", out), out
    term.send("display history-command\r")
    out = term.until(USER_PROMPT)
    history = [line.strip() for line in out.split("\r\n")[1:-1]]
    assert history[-4:] == ["display clock", "display vlan", "display clock", "display history-command"], history

    # line editing: Ctrl+A to the start, Ctrl+W deletes a word, backspace a character
    term.send("clock extra\x17\x01display \x05\x7f\x7fk\r")  # -> "display clock"
    assert re.search(r"\d\d:\d\d:\d\d UTC", term.until(USER_PROMPT))
    term.send("version\x01display \x05x\x7f\r")
    assert "Comware Software, Version 5.20" in term.until(MORE)
    term.send("q")
    term.until(USER_PROMPT)
    term.send("quit\r")
    term.child.expect(term.pexpect.EOF)
