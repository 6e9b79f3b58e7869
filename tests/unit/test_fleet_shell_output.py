"""How the controller and the lab talk to a shell: summaries that scale, plain text off a
terminal, host selection by pattern, the lab's start-up bar, help with examples and defaults."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from agent.errors import ConfigError
from agent.fleet.cli import select_hosts
from agent.fleet.report import DeviceResult, RunReport, print_summary
from agent.lab.cli import StartProgress
from agent.main import build_parser


def _report(total: int, failed: int) -> RunReport:
    results = [DeviceResult(f"SW-{i:04d}", "127.0.0.1", 2000 + i, changed=i % 2 == 0) for i in range(total)]
    for r in results[:failed]:
        r.status, r.error_class, r.error = "failed", "timeout", "timed out"
    return RunReport("push", results, 2.0)


def _render(report: RunReport, **console: object) -> str:
    out = io.StringIO()
    print_summary(report, Console(file=out, width=120, height=40, **console))  # type: ignore[arg-type]
    return out.getvalue()


def test_plain_text_off_a_terminal() -> None:
    text = _render(_report(3, 1))
    assert "\u2501" not in text and "\u2503" not in text and "\u2502" not in text  # no box drawing
    lines = text.splitlines()
    assert lines[0].split("\t") == ["device", "address", "status", "changed", "class", "error", "s"]
    assert lines[1].startswith("SW-0000\t127.0.0.1:2000\tfailed")
    assert lines[-2].startswith("3 devices: 2 ok")


def test_dumb_terminal_is_plain_too() -> None:
    text = _render(_report(3, 0), force_terminal=True, _environ={"TERM": "dumb"})
    assert "\u2501" not in text and "device\taddress" in text


def test_big_runs_list_failures_and_counts_only() -> None:
    text = _render(_report(5000, 7), force_terminal=True)
    assert text.count("SW-") == 7  # the failures, every one
    assert "4993 ok device(s) not listed" in text
    assert "5000 devices: 4993 ok" in text


def test_a_screenful_is_listed_whole() -> None:
    text = _render(_report(12, 1), force_terminal=True)
    assert text.count("SW-") == 12 and "not listed" not in text


def test_host_patterns() -> None:
    names = ["SW7906E-001", "SW7906E-002", "SW7906E-010", "core-1"]
    assert select_hosts(names, ["SW7906E-00?"], []) == ["SW7906E-001", "SW7906E-002"]
    assert select_hosts(names, ["SW*", "core-1"], ["*-010"]) == ["SW7906E-001", "SW7906E-002", "core-1"]
    assert select_hosts(names, [], ["SW*"]) == ["core-1"]
    with pytest.raises(ConfigError, match="no such host: SW7906E-999"):
        select_hosts(names, ["SW7906E-999"], [])
    with pytest.raises(ConfigError, match="no host matches: edge-\\*"):
        select_hosts(names, ["edge-*"], [])


def test_lab_start_progress_only_past_its_delay_and_on_terminals() -> None:
    out = io.StringIO()
    bar = StartProgress(3, Console(file=out, force_terminal=True, width=80), delay=0.0)
    for done in (1, 2, 3):
        bar(done)
    bar.close()
    assert "starting devices" in out.getvalue() and "3/3" in out.getvalue()
    quiet = io.StringIO()
    slow = StartProgress(3, Console(file=quiet, force_terminal=True, width=80), delay=60.0)
    slow(3)
    slow.close()
    piped = io.StringIO()
    off = StartProgress(3, Console(file=piped, width=80), delay=0.0)
    off(3)
    off.close()
    assert quiet.getvalue() == "" and piped.getvalue() == ""


def _help(*argv: str) -> str:
    out = io.StringIO()
    parser = build_parser()
    with pytest.raises(SystemExit):
        import contextlib

        with contextlib.redirect_stdout(out):
            parser.parse_args([*argv, "--help"])
    return out.getvalue()


@pytest.mark.parametrize("argv", [("serve",), ("lab",), ("worker",), ("fleet",), ("fleet", "push"),
                                  ("fleet", "render"), ("fleet", "backup"), ("fleet", "diff"), ("fleet", "run"),
                                  ("fleet", "facts"), ("fleet", "compliance"), ("fleet", "import-vagrant")])
def test_every_help_has_examples_and_readable_defaults(argv: tuple[str, ...]) -> None:
    text = _help(*argv)
    assert "examples:\n  " in text
    assert not re.search(r"default: \('|default: None", text)  # no Python tuples or Nones


def test_verbose_anywhere() -> None:
    parser = build_parser()
    assert parser.parse_args(["fleet", "run", "display clock", "-v"]).verbose is True
    assert parser.parse_args(["-v", "fleet", "run", "display clock"]).verbose is True
    assert parser.parse_args(["fleet", "run", "display clock"]).verbose is False
    assert parser.parse_args(["lab", "--profile", "p", "--state", "s", "-v"]).verbose is True
