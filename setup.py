"""Build hook: compile the hot SSH-2 modules with mypyc when a C compiler is available.

Everything else about the package is in pyproject.toml. The list of modules is
agent.native.COMPILED_MODULES; the plain sources are the fallback (see agent/native.py), so a
failed or skipped build (``SWITCH_AGENT_PURE=1``) still installs a working package.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def load_native():  # noqa: ANN201
    """agent/native.py (standard library only), loaded by path without importing the package."""
    spec = importlib.util.spec_from_file_location("_switch_agent_native", HERE / "agent" / "native.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class OptionalBuildExt(build_ext):
    """A compile error leaves the plain sources in charge instead of failing the install."""

    def run(self) -> None:
        native = load_native()
        stamp = native.hash_path(HERE)
        stamp.unlink(missing_ok=True)  # no hash, no build in use: until this one is complete
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any toolchain failure means "run from source"
            print(f"switch-agent: compiled modules not built ({exc}); the sources will run", file=sys.stderr)
            return
        if self.extensions:  # every module built: record which sources they are
            stamp.write_text(native.source_hash(root=HERE) + "\n")

    def build_extension(self, ext) -> None:  # noqa: ANN001
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            print(f"switch-agent: {ext.name} not compiled ({exc}); the sources will run", file=sys.stderr)
            raise  # one module missing: the hash is not written and the sources run


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
    """The mypyc extensions to build, or none (the sources then run); old builds are removed first."""
    native = load_native()
    names: list[str] = [] if native.pure_requested() else list(native.COMPILED_MODULES)
    built: list = []
    if names:
        try:
            from mypyc.build import mypycify

            paths = [str(Path(*name.split(".")).with_suffix(".py")) for name in names]
            # One group (one shared library, agent/_compiled__mypyc*.so): calls between the modules
            # stay native, which is most of the gain. Errors are checked in these modules only.
            options = ["--follow-imports=silent", "--ignore-missing-imports"]
            built = mypycify([*options, *paths], opt_level="3", separate=[(paths, "agent._compiled")])
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - mypyc exits on a type error: not our install's end
            print(f"switch-agent: not compiled ({exc!r}); the sources will run", file=sys.stderr)
            names = []
    remove_other_builds(names)
    return built


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
