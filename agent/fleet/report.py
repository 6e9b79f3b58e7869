"""Per-device results, the JSON report, and the terminal summary table."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPORT_KEYS = ("name", "host", "port", "status", "changed", "error_class", "error", "seconds")
PUSH_KEYS = ("saved", "unsaved_before", "unconfirmed")


@dataclass
class DeviceResult:
    """The outcome of one operation on one device; ``detail`` carries operation output (not in the report)."""

    name: str
    host: str
    port: int
    status: str = "ok"  # "ok" | "failed"
    changed: bool = False
    error_class: str | None = None
    error: str | None = None
    seconds: float = 0.0
    protocol: str | None = None
    attempts: int = 1
    detail: dict[str, Any] = field(default_factory=dict)
    # push only (None elsewhere): saved after this push; running differed from saved before it;
    # configuration was sent but the push did not confirm it (verify/save never completed)
    saved: bool | None = None
    unsaved_before: bool | None = None
    unconfirmed: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def report_entry(self) -> dict[str, Any]:
        entry = {
            "name": self.name, "host": self.host, "port": self.port, "status": self.status,
            "changed": self.changed, "error_class": self.error_class, "error": self.error,
            "seconds": round(self.seconds, 3),
        }
        for key in PUSH_KEYS:
            if getattr(self, key) is not None:
                entry[key] = getattr(self, key)
        return entry

    def to_dict(self) -> dict[str, Any]:
        """Full form for moving a result between processes (Celery)."""
        return {**self.report_entry(), "protocol": self.protocol, "attempts": self.attempts, "detail": self.detail,
                **{key: getattr(self, key) for key in PUSH_KEYS}}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DeviceResult:
        return cls(**raw)


@dataclass
class RunReport:
    operation: str
    results: list[DeviceResult]
    seconds: float
    dry_run: bool = False

    @property
    def failed(self) -> list[DeviceResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def by_name(self) -> dict[str, DeviceResult]:
        return {r.name: r for r in self.results}

    def summary(self) -> dict[str, Any]:
        ok = [r for r in self.results if r.ok]
        return {
            "operation": self.operation,
            "total": len(self.results),
            "ok": len(ok),
            "failed": len(self.failed),
            "changed": sum(1 for r in ok if r.changed),
            "unchanged": sum(1 for r in ok if not r.changed),
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "devices_per_second": round(len(self.results) / self.seconds, 2) if self.seconds > 0 else None,
            "error_classes": dict(Counter(r.error_class for r in self.failed if r.error_class)),
            "protocols": dict(Counter(r.protocol for r in self.results if r.protocol)),
            **({key: sum(1 for r in self.results if getattr(r, key)) for key in PUSH_KEYS}
               if self.operation == "push" else {}),
        }

    def to_json(self) -> dict[str, Any]:
        devices = [r.report_entry() for r in self.results]
        if self.operation == "run":  # the command's output is the point of a run
            for entry, r in zip(devices, self.results, strict=True):
                entry["output"] = r.detail.get("output") if r.ok else None
        return {"devices": devices, "summary": self.summary()}

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def _cells(r: DeviceResult) -> tuple[str, ...]:
    changed = ("sent, unconfirmed" if r.unconfirmed else "yes") if r.changed else "no"
    return (r.name, f"{r.host}:{r.port}", "ok" if r.ok else "failed", changed, r.error_class or "",
            (r.error or "")[:120], f"{r.seconds:.2f}")


_COLUMNS = ("device", "address", "status", "changed", "class", "error", "s")


def summary_lines(report: RunReport) -> list[str]:
    """The closing lines: counts, failure classes, speed, and for a push what was saved."""
    s = report.summary()
    classes = ", ".join(f"{k}: {v}" for k, v in s["error_classes"].items()) or "none"
    lines = [
        f"{s['total']} devices: {s['ok']} ok ({s['changed']} changed, {s['unchanged']} unchanged), "
        f"{s['failed']} failed (by class: {classes}) in {s['seconds']:.2f}s "
        f"= {s['devices_per_second'] or 0:.1f} devices/s"
    ]
    if report.operation == "push" and not report.dry_run:
        lines.append(f"saved: {s['saved']}; had unsaved changes before the push: {s['unsaved_before']}"
                     + (f"; sent but unconfirmed: {s['unconfirmed']} (run the push again)" if s["unconfirmed"] else ""))
    return lines


def print_summary(report: RunReport, console: Any = None, max_rows: int | None = None) -> None:
    """The per-device table, then the summary lines.

    Failed devices are always listed (they are what the operator acts on); devices that are ok
    are listed only while the whole table fits a screen (``max_rows``, by default the console's
    height less a few lines), so a run over 5,000 devices prints its failures and its counts, not
    5,000 rows. A console that is not a terminal (a pipe, a file, ``TERM=dumb``) gets plain
    tab-separated text instead of box drawing, for grep and awk.
    """
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    plain = not console.is_terminal or console.is_dumb_terminal
    if max_rows is None:
        max_rows = max(10, console.height - 8) if not plain else 50
    rows = sorted(report.results, key=lambda r: (r.ok, not r.changed, r.name))
    failed = [r for r in rows if not r.ok]
    ok = [r for r in rows if r.ok]
    shown = failed + (ok if len(rows) <= max_rows else [])
    title = f"fleet {report.operation}" + (" (dry run)" if report.dry_run else "")
    hidden = f"{len(ok)} ok device(s) not listed (see --report)" if len(shown) < len(rows) else ""
    if plain:  # written as is: rich would expand the tabs
        lines = ["\t".join(_COLUMNS)] if shown else []
        lines += ["\t".join(_cells(r)) for r in shown]
        lines += [hidden] if hidden else []
        lines += summary_lines(report)
        console.file.write("".join(f"{line}\n" for line in lines))
        console.file.flush()
        return
    elif shown:
        table = Table(title=title, caption=hidden or None)
        for column in _COLUMNS:
            table.add_column(column, overflow="fold")
        for r in shown:
            cells = list(_cells(r))
            cells[2] = "[green]ok[/]" if r.ok else "[red]failed[/]"
            table.add_row(*cells)
        console.print(table)
    elif hidden:
        console.print(f"{title}: {hidden}")
    for line in summary_lines(report):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
