"""One CLI session: bytes in (keystrokes or exec lines), bytes out (echo, output, prompts).

The session is sans-IO and synchronous; the SSH driver feeds it channel data and writes back
what it returns. Output lines end in CR LF. A bare LF, a bare CR or CR LF is one Enter.
"""

from __future__ import annotations

import logging
import time
import types
from typing import TYPE_CHECKING

from agent.cli.context import SYSTEM, USER, Ask, Ctx, Dialogue, View
from agent.cli.editor import LineEditor
from agent.cli.errors import UNRECOGNIZED, WRONG, CommandError, ParseError, WrongParameter
from agent.cli.regex import BadPattern, apply_filter
from agent.cli.tree import Match, Node, completions, help_entries, parse, tokenize, walk
from agent.device.device import Device

if TYPE_CHECKING:
    from agent.cli.family import Family  # it opens sessions

log = logging.getLogger(__name__)
PAGE_LINES = 24
MORE = "  ---- More ----"
ERASE_MORE = "\x1b[16D" + " " * 16 + "\x1b[16D"
HISTORY_SIZE = 10
PRESS_ENTER = "Press Y or ENTER to continue, N to exit."


class CliSession:
    """A Comware CLI session on ``device`` for ``username`` at privilege ``level``."""

    def __init__(
        self,
        family: Family,
        device: Device,
        username: str,
        level: int,
        *,
        interactive: bool,
        width: int = 80,
        height: int = 24,
        term: str = "vt100",
        vty: int | None = None,
        peer: str = "",
        loading: bool = False,
    ) -> None:
        self.family = family  # the command tree and the view table of the device's OS family
        self.device = device
        self.username = username
        self.level = max(0, min(3, level))
        self.interactive = interactive
        self.width = width
        self.height = height
        self.term = term
        self.vty = vty
        self.peer = peer
        self.loading = loading  # applying a configuration file: no dialogues, no notifications
        self.login_time = time.time()
        self.view: View = USER
        self.paging = interactive
        self.history: list[str] = []
        self.closed = False
        self.exit_status = 0
        self.editor = LineEditor()
        self.pkey_name: str | None = None
        self.pkey_code: list[str] = []
        self._mode = "line"
        self._pending: list[str] = []
        self._dialogue: Dialogue | None = None
        self._dialogue_ctx: Ctx | None = None
        self._ask: Ask | None = None
        self._esc = ""
        self._last_cr = False
        self._hist_pos: int | None = None
        self._tab: tuple[str, list[str], int, str] | None = None
        self.failed = False
        self.reboot_requested = False
        self.super_failures = 0  # wrong `super` passwords in this session (agent.cli.lockout)

    # ------------------------------------------------------------------ public API
    @property
    def prompt(self) -> str:
        return self.family.prompt(self.view, self.device.sysname)

    def start(self) -> bytes:
        """Login banner, the optional "Press Y or ENTER" question, then the first prompt."""
        out = ""
        banner = self.device.profile.identity.login_banner
        if banner:
            out += "\r\n".join(banner.rstrip("\n").split("\n")) + "\r\n\r\n"
        if self.device.profile.identity.press_enter_banner and self.interactive:
            self._mode = "banner"
            return (out + PRESS_ENTER).encode()
        return (out + self.prompt).encode()

    def resize(self, width: int, height: int) -> None:
        self.width = width
        self.height = height

    def feed(self, data: bytes) -> bytes:
        """Keystrokes in; echo, command output, pager and prompts out."""
        out: list[str] = []
        for ch in data.decode("latin-1"):
            if self.closed:
                break
            out.append(self._key(ch))
        return "".join(out).encode("utf-8", "replace")

    def execute(self, command: str) -> tuple[bytes, int]:
        """Exec channel: run one line (no echo, no paging); status 1 if it produced a Comware error."""
        self.paging = False
        self.failed = False
        lines = self._execute(command)
        guard = 0
        while self._dialogue is not None and guard < 20:
            guard += 1
            ask = self._ask
            answer = "Y" if ask is not None and ask.yes_no else ""
            lines.append((ask.text if ask else "") + answer)
            lines.extend(self._answer(answer))
        try:
            text = "\r\n".join(lines) + "\r\n" if lines else ""
        except TypeError:  # a line that is not a str: format it as the f-string did
            text = "".join(f"{line}\r\n" for line in lines)
        self.exit_status = 1 if self.failed else 0
        return text.encode("utf-8", "replace"), self.exit_status

    # ------------------------------------------------------------------ key dispatch
    def _key(self, ch: str) -> str:
        if self._esc:
            return self._escape(ch)
        enter = False
        if ch == "\r":
            enter, self._last_cr = True, True
        elif ch == "\n":
            if self._last_cr:
                self._last_cr = False
                return ""
            enter = True
        else:
            self._last_cr = False
        if self._mode == "banner":
            return self._banner_key(ch, enter)
        if self._mode == "pager":
            return self._pager_key(ch, enter)
        if enter:
            return self._enter()
        if ch == "\x1b":
            self._esc = ch
            return ""
        return self._edit_key(ch)

    def _echo(self, text: str) -> str:
        if not self.interactive or (self._mode == "dialogue" and self._ask is not None and self._ask.secret):
            return ""
        return text

    def _edit_key(self, ch: str) -> str:
        ed = self.editor
        if ch != "\t":
            self._tab = None
        if ch in ("\x08", "\x7f"):
            return self._echo(ed.backspace())
        if ch == "\x01":
            return self._echo(ed.home())
        if ch == "\x05":
            return self._echo(ed.end())
        if ch == "\x02":
            return self._echo(ed.left())
        if ch == "\x06":
            return self._echo(ed.right())
        if ch == "\x04":
            return self._echo(ed.delete())
        if ch == "\x0b":
            return self._echo(ed.kill_to_end())
        if ch == "\x15":
            return self._echo(ed.replace(""))
        if ch == "\x17":
            return self._echo(ed.kill_word())
        if ch == "\x03":
            return self._interrupt()
        if ch == "\x1a":
            return self._ctrl_z()
        if self._mode == "dialogue":
            if " " <= ch <= "~":
                return self._echo(ed.insert(ch))
            return ""
        if ch == "\t":
            return self._complete()
        if ch == "?":
            return self._help()
        if ch == "\x10":
            return self._history(-1)
        if ch == "\x0e":
            return self._history(+1)
        if " " <= ch <= "~":
            return self._echo(ed.insert(ch))
        return ""

    def _escape(self, ch: str) -> str:
        self._esc += ch
        seq = self._esc
        if len(seq) == 2:
            if ch in "[O":
                return ""
            self._esc = ""
            return self._pager_key("q", False) if self._mode == "pager" else ""
        if ch.isalpha() or ch == "~" or len(seq) > 8:
            self._esc = ""
            if self._mode == "pager":  # an arrow key at More ends paging; the sequence is swallowed whole
                return self._pager_key("q", False)
            if self._mode not in ("line", "dialogue"):
                return ""
            final = seq[2:]
            ed = self.editor
            if final == "A" and self._mode == "line":
                return self._history(-1)
            if final == "B" and self._mode == "line":
                return self._history(+1)
            if final == "C":
                return self._echo(ed.right())
            if final == "D":
                return self._echo(ed.left())
            if final in ("H", "1~"):
                return self._echo(ed.home())
            if final in ("F", "4~"):
                return self._echo(ed.end())
            if final == "3~":
                return self._echo(ed.delete())
        return ""

    # ------------------------------------------------------------------ modes
    def _banner_key(self, ch: str, enter: bool) -> str:
        if enter or ch in "yY":
            self._mode = "line"
            return "\r\n" + self.prompt
        if ch in "nN":
            self.closed = True
            return "\r\n"
        return ""

    def _pager_key(self, ch: str, enter: bool) -> str:
        if ch == " ":
            return ERASE_MORE + self._page(PAGE_LINES)
        if enter:
            return ERASE_MORE + self._page(1)
        if ch == "\n":  # LF of a CR LF pair
            return ""
        if ch == "\x1b":  # wait for the rest of the escape sequence (see _escape)
            self._esc = ch
            return ""
        self._pending = []
        self._mode = "line"
        return ERASE_MORE + self.prompt

    def _page(self, count: int) -> str:
        chunk, self._pending = self._pending[:count], self._pending[count:]
        text = "".join(f"{line}\r\n" for line in chunk)
        if self._pending:
            return text + MORE
        self._mode = "line"
        return text + self.prompt

    def _show(self, lines: list[str]) -> str:
        """Output lines, then the prompt (or the pager's More line on a long output)."""
        if self.paging and self.interactive and len(lines) > PAGE_LINES:
            self._pending = list(lines)
            self._mode = "pager"
            return self._page(PAGE_LINES)
        return "".join(f"{line}\r\n" for line in lines) + self.prompt

    def _interrupt(self) -> str:
        self.editor.clear()
        if self._mode == "dialogue":
            self._close_dialogue()
        return "^C\r\n" + self.prompt if self.interactive else ""

    def _ctrl_z(self) -> str:
        self.editor.clear()
        if self._mode == "dialogue":
            self._close_dialogue()
        target = self.family.ctrl_z(self.view)
        if target is not None:
            self.view = target
        return self._echo("\r\n") + self.prompt

    def _enter(self) -> str:
        line = self.editor.buffer
        self.editor.clear()
        self._tab = None
        self._hist_pos = None
        out = "\r\n" if self.interactive else ""
        if self._mode == "dialogue":
            lines = self._answer(line)
        else:
            if line.strip() and (not self.history or self.history[-1] != line.strip()):
                self.history.append(line.strip())
                del self.history[:-HISTORY_SIZE]
            lines = self._execute(line)
        if self.closed:
            return out + "".join(f"{x}\r\n" for x in lines)
        if self._mode == "dialogue" and self._ask is not None:
            return out + "".join(f"{x}\r\n" for x in lines) + self._ask.text
        return out + self._show(lines)

    # ------------------------------------------------------------------ running commands
    def parse_line(self, line: str) -> Match:
        """Parse in the current view; a sub-view falls back to system view for unknown commands."""
        try:
            return parse(self._root(self.view.kind), line, self.level, self.device)
        except ParseError as err:
            first = tokenize(line)
            if (
                self._falls_back()
                and err.kind == UNRECOGNIZED
                and first
                and err.pos == first[0].start
            ):
                return parse(self._root(self.family.system_view), line, self.level, self.device)
            raise

    def _root(self, view: str) -> Node:
        return self.family.tree.roots[view]

    def _falls_back(self) -> bool:
        """Does a line this view does not know run in system view (Comware's sub-views)?"""
        return self.family.view_specs[self.view.kind].system_fallback

    def _execute(self, line: str) -> list[str]:
        if not line.strip():
            return []
        device = self.device
        with device.lock:
            try:
                match = self.parse_line(line)
            except ParseError as err:
                self.failed = True
                return err.lines(len(self.prompt))
            ctx = Ctx(self, match)
            try:
                result = match.handler(ctx)
            except CommandError as err:
                self.failed = True
                result = None
                ctx.out.extend(err.lines)
            except WrongParameter as err:
                self.failed = True
                pos = match.positions.get(err.name, 0)
                return ctx.out + ParseError(WRONG, pos).lines(len(self.prompt))
            except Exception:  # noqa: BLE001 - a handler bug must not kill the session
                log.exception("command failed: %r", line)
                self.failed = True
                return ctx.out + [" Error: Failed to execute the command."]
        self._notify(ctx)
        if isinstance(result, types.GeneratorType):  # a dialogue: it asks before it acts
            self._dialogue = result
            self._dialogue_ctx = ctx
            self._mode = "dialogue"
            return self._step(None)
        try:
            return self._filter(ctx.out, match.filter)
        except BadPattern:
            self.failed = True
            assert match.filter is not None
            return ParseError(WRONG, max(0, line.rfind(match.filter[1]))).lines(len(self.prompt))

    def _step(self, answer: str | None) -> list[str]:
        gen, ctx = self._dialogue, self._dialogue_ctx
        assert gen is not None and ctx is not None
        ctx.out = []
        with self.device.lock:
            try:
                self._ask = gen.send(answer) if answer is not None else next(gen)
            except StopIteration:
                self._close_dialogue()
            except CommandError as err:
                self.failed = True
                ctx.out.extend(err.lines)
                self._close_dialogue()
            except Exception:  # noqa: BLE001 - a handler bug must not kill the session
                log.exception("dialogue failed")
                self.failed = True
                ctx.out.append(" Error: Failed to execute the command.")
                self._close_dialogue()
        self._notify(ctx)
        if self.reboot_requested:
            self.reboot_requested = False
            self.closed = True
            self.device.reboot()
        return ctx.out

    def _answer(self, line: str) -> list[str]:
        if self._dialogue is None:
            return []
        return self._step(line)

    def _close_dialogue(self) -> None:
        if self._dialogue is not None:
            self._dialogue.close()
        self._dialogue = None
        self._ask = None
        if self._mode == "dialogue":
            self._mode = "line"

    def _notify(self, ctx: Ctx) -> None:
        if self.loading or not ctx.topics:
            return
        for topic in sorted(ctx.topics):
            self.device.notify(topic)
        ctx.topics.clear()

    @staticmethod
    def _filter(lines: list[str], flt: tuple[str, str] | None) -> list[str]:
        """``| include/exclude/begin REGEX`` on RE2: linear time whatever the pattern (agent.cli.regex)."""
        if flt is None:
            return lines
        return apply_filter(lines, *flt)

    # ------------------------------------------------------------------ help, completion, history
    def _help(self) -> str:
        text = self.editor.buffer
        out = self._echo("?") + "\r\n"
        root = self._root(self.view.kind)
        if text.strip() == "" or text.endswith(" "):
            base, prefix = text, None
        else:
            cut = text.rstrip().rfind(" ") + 1
            base, prefix = text[:cut], text[cut:]
        result = walk(root, base, self.level, self.device)
        if result.error is not None and self._falls_back() and base.strip():
            alt = walk(self._root(self.family.system_view), base, self.level, self.device)
            if alt.error is None:
                result = alt
        lines: list[str] = []
        if result.error is not None:
            lines = result.error.lines(len(self.prompt))
        elif result.filter_at is not None:
            lines = self._format_rows([("begin", "Begin with the line that matches"),
                                       ("exclude", "Match the lines that do not match"),
                                       ("include", "Match the lines that match")])
        else:
            rows = help_entries(result.node, self.level, self.device, result.filterable, prefix)
            if not rows:
                start = len(base)
                lines = ParseError(UNRECOGNIZED, start).lines(len(self.prompt))
            else:
                title = self.family.view_specs[self.view.kind].help_title
                if prefix is None and not base.strip() and title:
                    lines.append(title)
                lines.extend(self._format_rows(rows))
                lines.append("")
        return out + "".join(f"{x}\r\n" for x in lines) + self.prompt + self.editor.buffer

    @staticmethod
    def _format_rows(rows: list[tuple[str, str]]) -> list[str]:
        width = max(len(label) for label, _ in rows) + 2
        return [f"  {label:<{width}}{desc}".rstrip() for label, desc in rows]

    def _complete(self) -> str:
        text = self.editor.buffer
        if self._tab is not None and self._tab[3] == text:
            base, cycle, index, _ = self._tab
            index = (index + 1) % len(cycle)
            new = base + cycle[index]
            self._tab = (base, cycle, index, new)
            return self._echo(self.editor.replace(new))
        self._tab = None
        if not text or text.endswith(" "):
            return self._echo("\r\n" + self.prompt + text)
        cut = text.rfind(" ") + 1
        base, word = text[:cut], text[cut:]
        cands: list[str] = []
        system = self.family.system_view
        for kind in (self.view.kind, system):
            result = walk(self._root(kind), base, self.level, self.device)
            if result.error is None and result.filter_at is None:
                cands = completions(result.node, self.level, word)
            if cands or kind == system or not self._falls_back():
                break
        if len(cands) == 1:
            new = base + cands[0] + " "
        elif cands:
            new = base + cands[0]
            self._tab = (base, cands, 0, new)
        else:
            new = text
        self.editor.replace(new)
        return self._echo("\r\n" + self.prompt + new)

    def _history(self, step: int) -> str:
        if not self.history:
            return ""
        if self._hist_pos is None:
            if step > 0:
                return ""
            pos = len(self.history) - 1
        else:
            pos = self._hist_pos + step
        if pos < 0:
            pos = 0
        if pos >= len(self.history):
            self._hist_pos = None
            return self._echo(self.editor.replace(""))
        self._hist_pos = pos
        return self._echo(self.editor.replace(self.history[pos]))

    # ------------------------------------------------------------------ helpers for handlers
    def go(self, view: View) -> None:
        self.view = view

    def to_system(self) -> None:
        self.view = SYSTEM
