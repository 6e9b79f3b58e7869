"""The hot SSH-2 modules as compiled code (mypyc), with the plain sources as the fallback.

A short session is mostly Python bookkeeping between waits for the client, where caches are
cold; compiling the per-packet and per-message path with mypyc (type-annotated Python to C,
the same sources) takes about 9% off the server's CPU per connection (docs/benchmarks.md).
``pip install`` builds these modules when a C compiler is there (setup.py); without one the
same modules run from source, with identical behaviour.

The sources stay the truth. setup.py writes one hash of the sources it compiled beside the
build (``agent/_compiled.hash``); at import of ``agent`` (this module's :func:`choose`) the
build is used only if that hash is the hash of today's sources; otherwise, or with
``SWITCH_AGENT_PURE=1`` in the environment, every one of them is loaded from its ``.py`` file
(all or none, since compiled modules call each other directly).
bench/profile_server.py sets that variable: neither cProfile nor its step timers see inside
compiled code.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

# Compiled together (setup.py reads this list). Keep it to modules whose classes nobody
# subclasses or patches from interpreted code.
COMPILED_MODULES: tuple[str, ...] = (
    "agent.wire",
    "agent.identification",
    "agent.ssh2.packet",
    "agent.ssh2.transport",
    "agent.ssh2.server",
    "agent.ssh2.client",  # test-only, but it subclasses the compiled Transport: it must be compiled too
    "agent.ssh2.auth",
    "agent.ssh2.connection",
    "agent.ssh2.negotiation",
    "agent.ssh2.keys",
    "agent.ssh2.algorithms.kex",
    "agent.ssh2.algorithms.mac",
    "agent.ssh2.algorithms.cipher",
    "agent.ssh2.algorithms.hostkey",
    "agent.ssh2.algorithms.compression",
    "agent.ssh2.constants",
    "agent.zlib_stream",
    "agent.sessions",
    "agent.passwords",
)
PURE_ENV = "SWITCH_AGENT_PURE"
HASH_FILE = "_compiled.hash"  # in the agent package folder, written by setup.py with the build
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent

mode = "source"  # "compiled" or "source", set by choose()
reason = "not chosen yet"


def pure_requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when SWITCH_AGENT_PURE asks for the sources (setup.py then builds nothing either)."""
    env = os.environ if environ is None else environ
    return env.get(PURE_ENV, "") not in ("", "0")


def _source_path(module: str, root: Path = _PACKAGE_ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def source_hash(modules: Sequence[str] = COMPILED_MODULES, root: Path = _PACKAGE_ROOT) -> str:
    """One SHA-256 over the names and sources of the compiled modules, in list order."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(module.encode() + b"\0" + _source_path(module, root).read_bytes() + b"\0")
    return digest.hexdigest()


def hash_path(root: Path = _PACKAGE_ROOT) -> Path:
    return root / "agent" / HASH_FILE


def decide(
    modules: Sequence[str] = COMPILED_MODULES,
    environ: Mapping[str, str] | None = None,
    root: Path = _PACKAGE_ROOT,
) -> tuple[str, str]:
    """("compiled" | "source", why): the build is used when its recorded hash is the sources' hash."""
    if pure_requested(environ):
        return "source", f"{PURE_ENV} is set"
    try:
        built = hash_path(root).read_text().strip()
    except OSError:
        return "source", "no compiled build (installed without a C compiler, or with SWITCH_AGENT_PURE=1)"
    if built != source_hash(modules, root):
        return "source", "compiled build of other sources: run scripts/setup.sh"
    return "compiled", "mypyc build of the current sources"


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Loads the listed modules from their .py files even where a compiled build sits beside them."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        return importlib.util.spec_from_file_location(fullname, _source_path(fullname))


def choose() -> str:
    """Decide once per process, before any of the modules is imported; returns the mode."""
    global mode, reason
    if any(module in sys.modules for module in COMPILED_MODULES):
        return mode  # already imported: the decision was made
    mode, reason = decide()
    if mode == "source" and not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder(COMPILED_MODULES))
    return mode


if __name__ == "__main__":
    # `python agent/native.py`: the hash of the compiled modules' sources (scripts/setup.sh compares it)
    print(source_hash())
