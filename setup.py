"""Build hook: compile the hot SSH-2 modules with mypyc when a C compiler is available.

Everything else about the package is in pyproject.toml. The list of modules is
agent.native.COMPILED_MODULES; the plain sources are the fallback (see agent/native.py), so a
failed or skipped build (``SWITCH_AGENT_PURE=1``) still installs a working package.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def compiled_modules() -> list[str]:
    """agent.native.COMPILED_MODULES (that module uses the standard library only: loaded by path)."""
    spec = importlib.util.spec_from_file_location("_switch_agent_native", HERE / "agent" / "native.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.COMPILED_MODULES)


class OptionalBuildExt(build_ext):
    """A compile error leaves the plain sources in charge instead of failing the install."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any toolchain failure means "run from source"
            print(f"switch-agent: compiled modules not built ({exc}); the sources will run", file=sys.stderr)

    def build_extension(self, ext) -> None:  # noqa: ANN001
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            print(f"switch-agent: {ext.name} not compiled ({exc}); the sources will run", file=sys.stderr)


def remove_other_builds(keep: list[str]) -> None:
    """Delete compiled modules left in the tree by an earlier build that this one will not make.

    An extension module beside its source is imported instead of it, so a module dropped from
    the list (or a build now skipped) must not leave its old build behind.
    """
    wanted = {Path(*name.split(".")) for name in keep} | ({Path("agent", "_compiled__mypyc")} if keep else set())
    for built in (HERE / "agent").rglob("*.so"):
        relative = built.relative_to(HERE)
        module = relative.parent / relative.name.split(".", 1)[0]
        if module not in wanted:
            built.unlink()


def extensions() -> list:
    if os.environ.get("SWITCH_AGENT_PURE", "") not in ("", "0"):
        remove_other_builds([])
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("switch-agent: mypyc not available; the sources will run", file=sys.stderr)
        remove_other_builds([])
        return []
    names = compiled_modules()
    remove_other_builds(names)
    paths = [str(Path(*name.split(".")).with_suffix(".py")) for name in names]
    try:
        # One group (one shared library, agent/_compiled__mypyc*.so): calls between the modules
        # stay native, which is most of the gain. Errors are checked in these modules only.
        options = ["--follow-imports=silent", "--ignore-missing-imports"]
        return mypycify([*options, *paths], opt_level="3", separate=[(paths, "agent._compiled")])
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - mypyc exits on a type error: not our install's end
        print(f"switch-agent: mypyc failed ({exc!r}); the sources will run", file=sys.stderr)
        remove_other_builds([])
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
