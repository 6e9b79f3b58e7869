"""``switch-agent fleet ...`` command line: help texts, which options each subcommand has,
render masking, ``diff --templates --var``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from agent.errors import ConfigError
from agent.fleet.api import Fleet
from agent.fleet.inventory import load_inventory
from agent.main import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
CONNECTION_OPTIONS = {"--concurrency", "--group-limit", "--timeout", "--retries", "--backoff", "--slow",
                      "--backend", "--broker", "--no-progress"}


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    fleet = top.choices["fleet"]
    ops = next(a for a in fleet._actions if isinstance(a, argparse._SubParsersAction))
    return dict(ops.choices)


def _options(p: argparse.ArgumentParser) -> set[str]:
    return {s for a in p._actions for s in a.option_strings if s.startswith("--")}


def test_every_fleet_option_has_help() -> None:
    for name, p in _subparsers().items():
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


def test_connection_options_only_where_devices_are_contacted() -> None:
    subs = _subparsers()
    for name in ("push", "backup", "diff", "run", "facts", "compliance"):
        assert CONNECTION_OPTIONS <= _options(subs[name]), name
    render = _options(subs["render"])
    assert not (CONNECTION_OPTIONS | {"--report"}) & render
    assert {"--inventory", "--hosts", "--group", "--var", "--output", "--show-secrets"} <= render
    help_text = subs["render"].format_help()
    assert "--timeout" not in help_text and "--backend" not in help_text


def test_var_is_one_shared_option_on_push_render_diff() -> None:
    subs = _subparsers()
    helps = {subs[n]._option_string_actions["--var"].help for n in ("push", "render", "diff")}
    assert len(helps) == 1
    args = build_parser().parse_args(["fleet", "diff", "--templates", "t/", "--var", "a=1", "--var", "b=x=y"])
    assert args.var == [("a", "1"), ("b", "x=y")]


def _inventory(tmp_path: Path) -> Path:
    path = tmp_path / "lab.yaml"
    path.write_text("defaults: {username: admin}\nhosts:\n  SW-1: {hostname: 127.0.0.1, port: 22001}\n"
                    "  SW-2: {hostname: 127.0.0.1, port: 22002}\n")
    return path


def test_render_masks_passwords_unless_show_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = _inventory(tmp_path)
    base = ["fleet", "render", str(ROOT / "templates"), "-i", str(inv), "--var", "ops_password=Ops-pass-1"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "### SW-1" in out and "Ops-pass-1" not in out and " password simple ******" in out
    assert main([*base, "--output", str(tmp_path / "out")]) == 0
    written = (tmp_path / "out" / "SW-2.cfg").read_text()
    assert "Ops-pass-1" not in written and " password simple ******" in written
    assert main([*base, "--show-secrets"]) == 0
    assert " password simple Ops-pass-1" in capsys.readouterr().out


def test_render_without_a_needed_variable_names_template_and_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "render", str(ROOT / "templates"), "-i", str(_inventory(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "30-local-users.j2" in err and "'ops_password'" in err


def test_diff_templates_passes_vars_and_missing_vars_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(self: Fleet, operation: str, params: dict[str, dict[str, Any]], dry_run: bool = False) -> Any:
        seen[operation] = params
        return None

    monkeypatch.setattr(Fleet, "_run", fake_run)
    fleet = Fleet(load_inventory(_inventory(tmp_path)))
    fleet.diff(templates=[ROOT / "templates"], extra_vars={"ops_password": "Ops-pass-1"})
    intent = seen["diff"]["SW-1"]["intent"]
    assert "local-user ops" in intent and " password simple Ops-pass-1" in intent
    with pytest.raises(ConfigError, match=r"30-local-users\.j2: host SW-1: undefined variable: 'ops_password'"):
        fleet.diff(templates=[ROOT / "templates"])


def test_diff_cli_forwards_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.fleet import cli
    from agent.fleet.report import RunReport

    calls: list[dict[str, Any]] = []

    def fake_diff(self: Fleet, **kwargs: Any) -> RunReport:
        calls.append(kwargs)
        return RunReport("diff", [], 0.0)

    from rich.console import Console

    monkeypatch.setattr(Fleet, "diff", fake_diff)
    monkeypatch.setattr(cli, "_console", lambda args: Console(width=200))
    monkeypatch.setenv("SWITCH_AGENT_PASSWORD", "Lab-pass-1")
    inv = str(_inventory(tmp_path))
    assert main(["fleet", "diff", "--templates", "templates/", "--var", "ops_password=P-1", "-i", inv,
                 "--no-progress"]) == 0
    assert calls[0]["extra_vars"] == {"ops_password": "P-1"} and calls[0]["templates"] == ["templates/"]
    assert main(["fleet", "diff", "--backup", "b/", "--var", "ops_password=P-1", "-i", inv]) == 2
