"""The compiled SSH-2 modules (mypyc) and their fallback to the sources (agent/native.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent import native

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("pkg.alpha", "pkg.beta")


def _tree(tmp_path: Path, recorded: str | None) -> Path:
    """Sources for MODULES and, unless None, a recorded build hash (``"current"``: of these sources)."""
    for module in MODULES:
        source = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"name = {module!r}\n")
    if recorded is not None:
        stamp = native.hash_path(tmp_path)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text((native.source_hash(MODULES, tmp_path) if recorded == "current" else recorded) + "\n")
    return tmp_path


def test_a_build_of_the_current_sources_is_used(tmp_path: Path) -> None:
    assert native.decide(MODULES, {}, _tree(tmp_path, "current")) == ("compiled", "mypyc build of the current sources")


def test_a_changed_source_sends_all_of_them_back_to_the_sources(tmp_path: Path) -> None:
    root = _tree(tmp_path, "current")
    root.joinpath("pkg", "beta.py").write_text("name = 'changed'\n")
    mode, why = native.decide(MODULES, {}, root)
    assert mode == "source" and "scripts/setup.sh" in why


def test_no_recorded_build_runs_the_sources(tmp_path: Path) -> None:
    mode, why = native.decide(MODULES, {}, _tree(tmp_path, None))
    assert mode == "source" and "no compiled build" in why
    assert native.decide(MODULES, {}, _tree(tmp_path / "other", "0" * 64))[0] == "source"


def test_the_environment_asks_for_the_sources(tmp_path: Path) -> None:
    root = _tree(tmp_path, "current")
    assert native.decide(MODULES, {native.PURE_ENV: "1"}, root) == ("source", f"{native.PURE_ENV} is set")
    assert native.decide(MODULES, {native.PURE_ENV: "0"}, root)[0] == "compiled"


def test_the_hash_covers_names_and_order(tmp_path: Path) -> None:
    root = _tree(tmp_path, None)
    assert native.source_hash(MODULES, root) != native.source_hash(tuple(reversed(MODULES)), root)


def _loaded_from(env: dict[str, str]) -> str:
    code = "import agent, agent.native as n, agent.ssh2.transport as t; print(n.mode, t.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_process_loads_what_decide_chose() -> None:
    env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV}
    pure = _loaded_from({**env, native.PURE_ENV: "1"})
    assert pure.startswith("source ") and pure.endswith("transport.py")
    mode = native.decide(environ=env)[0]
    default = _loaded_from(env)
    assert default.startswith(mode + " ")
    assert default.endswith(".py") == (mode == "source")


@pytest.mark.skipif(
    native.mode != "compiled", reason="no compiled build here: the whole suite ran the sources"
)
def test_the_sources_pass_the_in_memory_ssh2_tests_too() -> None:
    """The suite runs the compiled build; the sources (the fallback) pass the SSH-2 core tests."""
    env = {**os.environ, native.PURE_ENV: "1"}
    tests = ["tests/unit/test_ssh2_session.py", "tests/unit/test_ssh2_algorithms.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
