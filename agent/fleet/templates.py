"""Jinja2 rendering of configuration intent, one text per device.

StrictUndefined: a variable missing from a host's data is an error naming the template and the
variable, not a silently empty line pushed to a switch. The context is the host's resolved
``data`` at top level plus ``host`` (name, hostname, port, platform, groups, data) and ``index``
(the host's position in the inventory, for per-device numbering).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from agent.errors import ConfigError
from agent.fleet.inventory import Host


def template_paths(names: Sequence[str | Path]) -> list[Path]:
    """Files named directly, or every ``*.j2`` in a named folder (sorted), in the given order."""
    out: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob("*.j2"))
            if not found:
                raise ConfigError(f"{path}: no *.j2 templates in this folder")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise ConfigError(f"{path}: no such template file or folder")
    return out


def _hint(message: str) -> str:
    m = re.match(r"^'([A-Za-z_][A-Za-z0-9_]*)' is undefined$", message)
    if not m:
        return ""
    return f" (give it with --var {m.group(1)}=VALUE or in the host's inventory data)"


class Renderer:
    """Compiled templates shared by every device of a run (compiling once is the costly part)."""

    def __init__(self, paths: Sequence[str | Path], extra_vars: dict[str, Any] | None = None) -> None:
        self.paths = template_paths(paths)
        self.extra_vars = dict(extra_vars or {})
        self.env = jinja2.Environment(
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, autoescape=False,
        )
        self.templates: list[tuple[Path, jinja2.Template]] = []
        for path in self.paths:
            try:
                self.templates.append((path, self.env.from_string(path.read_text(encoding="utf-8"))))
            except jinja2.TemplateSyntaxError as exc:
                raise ConfigError(f"{path}:{exc.lineno}: template syntax error: {exc.message}") from None

    def render(self, host: Host, index: int = 0) -> str:
        """The device's intended configuration: every template's output joined by ``#`` lines."""
        context: dict[str, Any] = {**self.extra_vars, **host.data}
        context["host"] = {
            "name": host.name, "hostname": host.hostname, "port": host.port, "platform": host.platform,
            "groups": host.groups, "data": host.data,
        }
        context["index"] = index
        parts = []
        for path, template in self.templates:
            try:
                text = template.render(context)
            except jinja2.UndefinedError as exc:
                raise ConfigError(f"{path}: host {host.name}: undefined variable: {exc.message}"
                                  f"{_hint(exc.message or '')}") from None
            except jinja2.TemplateError as exc:
                raise ConfigError(f"{path}: host {host.name}: {exc}") from None
            parts.append(text.strip("\n"))
        return "\n#\n".join(p for p in parts if p.strip()) + "\n"
