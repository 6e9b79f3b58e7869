"""``switch-agent fleet ...``: the controller's command line over :class:`agent.fleet.api.Fleet`."""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from agent.commandline import subcommand
from agent.errors import ConfigError
from agent.fleet.report import DeviceResult, RunReport, print_summary


def _kv(value: str) -> tuple[str, str]:
    key, sep, val = value.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return key, val


def _targets(p: argparse.ArgumentParser) -> None:
    """Which devices: the inventory and the host/group filters (every subcommand but import-vagrant)."""
    p.add_argument("-i", "--inventory", default="lab.yaml", help="inventory file or Nornir inventory folder")
    p.add_argument("--hosts", metavar="PATTERNS",
                   help="comma-separated host names or shell patterns, e.g. 'SW7906E-00?,core-*'")
    p.add_argument("--exclude", metavar="PATTERNS", help="comma-separated names or patterns to leave out")
    p.add_argument("--group", action="append", help="only hosts in this group (repeatable)")
    p.add_argument("--failed-from", metavar="REPORT",
                   help="only the devices that failed in this JSON report (from --report): re-run the failures")


def _common(p: argparse.ArgumentParser, report: bool = True) -> None:
    """Targets plus the options of subcommands that connect to devices."""
    _targets(p)
    conn = p.add_argument_group("connection and run options")
    conn.add_argument("-c", "--concurrency", type=int, default=50, help="devices at once (default 50)")
    conn.add_argument("--group-limit", type=_kv, action="append", default=[], metavar="GROUP=N",
                      help="at most N devices of GROUP at once (also data.max_concurrency on a group)")
    conn.add_argument("--timeout", type=float, default=20.0, help="per-device connect/read timeout in seconds")
    conn.add_argument("--retries", type=int, default=2, help="retries for unreachable/timeout failures")
    conn.add_argument("--backoff", type=float, default=0.5, help="first retry delay; doubles each retry")
    conn.add_argument("--slow", action="store_true",
                      help="netmiko's stock Comware timing (no echo checks; ~2 s silence wait per config send)")
    conn.add_argument("--max-output", type=int, default=16 * 1024 * 1024, metavar="CHARS",
                      help="most characters one command may return before the device fails with "
                           "class 'output limit' (default 16 MiB)")
    conn.add_argument("--known-hosts", metavar="FILE",
                      help="OpenSSH-format known_hosts (default ~/.config/switch-agent/known_hosts)")
    conn.add_argument("--host-key-policy", choices=("strict", "tofu", "off"), default="tofu",
                      help="strict: only keys on file; tofu (default): learn a new device's key, check it "
                           "afterwards; off: accept any key. A changed key always fails as 'host key'")
    conn.add_argument("--allow-ssh1", action="store_true",
                      help="use SSH1 for devices not marked ssh1_only that answer SSH-1.5 "
                           "(default: such a device fails as 'version')")
    conn.add_argument("--backend", choices=("local", "celery"), default="local",
                      help="run devices in local threads (default) or as Celery tasks")
    conn.add_argument("--broker", help="Celery broker URL (with --backend celery)")
    conn.add_argument("--no-progress", action="store_true", help="no progress bar")
    if report:
        out = p.add_argument_group("output")
        out.add_argument("--report", metavar="FILE", help="write the JSON report to FILE ('-': standard output)")
        out.add_argument("--json", action="store_true",
                         help="print the JSON report on standard output (human text goes to standard error)")


def _template_vars(p: argparse.ArgumentParser) -> None:
    """``--var``, shared by every subcommand that renders templates."""
    p.add_argument("--var", type=_kv, action="append", default=[], metavar="NAME=VALUE",
                   help="template variable (repeatable), e.g. --var ops_password=...; "
                        "a variable a template uses but nobody sets is an error")


_EXIT_CODE_HELP = ("exit with 3 when changes are pending (as `git diff --exit-code`); 1 still means a device "
                   "failed, 0 nothing to change")
_TEMPLATES_HELP = "template files, or folders whose *.j2 files are used in name order"
_REPLACE_HELP = ("make the templated sections match exactly: undo lines the templates do not have "
                 "(default: merge, only add what is missing)")


# Examples printed by each subcommand's --help: commands a user can paste (the README's lab).
EXAMPLES = {
    "fleet": ["switch-agent fleet push templates/ -i lab.yaml --var ops_password=Ops-pass-1",
              "switch-agent fleet run 'display clock' -i lab.yaml --hosts 'SW7906E-00?' --json"],
    "push": ["switch-agent fleet push templates/ -i lab.yaml --var ops_password=Ops-pass-1 --report report.json",
             "switch-agent fleet push templates/ -i lab.yaml --var ops_password=Ops-pass-1 --dry-run --exit-code",
             "switch-agent fleet push templates/ -i lab.yaml --var ops_password=Ops-pass-1 --failed-from report.json",
             "switch-agent fleet push templates/ -i lab.yaml --var ops_password=Ops-pass-1 --exclude 'SW7906E-05*'"],
    "render": ["switch-agent fleet render templates/ -i lab.yaml --hosts SW7906E-001 --var ops_password=Ops-pass-1"],
    "backup": ["switch-agent fleet backup backups/ -i lab.yaml"],
    "diff": ["switch-agent fleet diff --backup backups/ -i lab.yaml",
             "switch-agent fleet diff --saved -i lab.yaml --exit-code",
             "switch-agent fleet diff --templates templates/ --var ops_password=Ops-pass-1 -i lab.yaml"],
    "run": ["switch-agent fleet run 'display version' -i lab.yaml --hosts 'SW7906E-00*'",
            "switch-agent fleet run 'display clock' -i lab.yaml --report - | jq .summary"],
    "facts": ["switch-agent fleet facts -i lab.yaml --output facts.json"],
    "compliance": ["switch-agent fleet compliance templates/compliance.yaml -i lab.yaml --report compliance.json"],
    "import-vagrant": ["vagrant ssh-config > ssh.cfg && switch-agent fleet import-vagrant ssh.cfg -o vagrant.yaml",
                       "cd vagrant && switch-agent fleet import-vagrant --vagrant-dir . --switch-port 8022 -o vagrant.yaml"],
    "worker": ["switch-agent worker --broker redis://127.0.0.1:6379/0 --queues site.a,site.b --concurrency 20"],
}


def _sub(parent: Any, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
    return subcommand(parent, name, help, EXAMPLES.get(name, []), **kwargs)


def add_fleet_parser(sub: Any) -> None:
    """Register ``fleet`` and its operations on ``switch-agent``'s subparsers."""
    fleet = _sub(sub, "fleet", "drive many switches: push, render, backup, diff, run, facts, compliance")
    ops = fleet.add_subparsers(dest="fleet_command", required=True)

    p = _sub(ops, "push", "render templates, apply only what differs, verify, save")
    p.add_argument("templates", nargs="+", help=_TEMPLATES_HELP)
    p.add_argument("--replace", action="store_true", help=_REPLACE_HELP)
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--exit-code", action="store_true", help=_EXIT_CODE_HELP)
    p.add_argument("--save-when", choices=("modified", "changed", "always", "never"), default="modified",
                   help="modified (default): save when running and saved configuration differ after the "
                        "push; changed: only when lines were sent; always; never")
    _template_vars(p)
    p.add_argument("--show", type=int, default=1, help="distinct change scripts to print (default 1; 0: none)")
    _common(p)
    p.set_defaults(func=nothing_to_do(cmd_push))

    p = _sub(ops, "render", "print what each device would get (no connection)")
    p.add_argument("templates", nargs="+", help=_TEMPLATES_HELP)
    _template_vars(p)
    p.add_argument("--output", metavar="DIR", help="write one DIR/<name>.cfg per device instead of printing")
    p.add_argument("--show-secrets", action="store_true",
                   help="print (or write) passwords in clear; by default `password simple ******`")
    _targets(p)
    p.set_defaults(func=nothing_to_do(cmd_render))

    p = _sub(ops, "backup", "save each device's running configuration to DIR/<name>.cfg")
    p.add_argument("directory", help="folder for the <name>.cfg files (created if missing)")
    _common(p)
    p.set_defaults(func=nothing_to_do(cmd_backup))

    p = _sub(ops, "diff", "running configuration versus a backup folder or rendered templates")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--backup", help="backup folder written by `fleet backup`")
    what.add_argument("--templates", nargs="+", help=_TEMPLATES_HELP + " (shows what a push would change)")
    what.add_argument("--saved", action="store_true",
                      help="running versus saved configuration of each device (what a reboot would lose)")
    _template_vars(p)
    p.add_argument("--replace", action="store_true", help=_REPLACE_HELP + " (with --templates)")
    p.add_argument("--exit-code", action="store_true", help=_EXIT_CODE_HELP)
    _common(p)
    p.set_defaults(func=nothing_to_do(cmd_diff))

    p = _sub(ops, "run", "run one command on every device")
    p.add_argument("command", help="the command line, e.g. \"display clock\"")
    p.add_argument("--output", help="write DIR/<name>.txt per device instead of printing")
    _common(p)
    p.set_defaults(func=nothing_to_do(cmd_run))

    p = _sub(ops, "facts", "version, interfaces, VLANs (parsed with ntc-templates)")
    p.add_argument("--output", help="write all facts as JSON here")
    _common(p)
    p.set_defaults(func=nothing_to_do(cmd_facts))

    p = _sub(ops, "compliance", "check rules (YAML) on every device")
    p.add_argument("rules", help="rules YAML file (e.g. templates/compliance.yaml)")
    _common(p)
    p.set_defaults(func=nothing_to_do(cmd_compliance))

    p = _sub(
        ops, "import-vagrant", "turn `vagrant ssh-config` output into an inventory",
        description="Hosts from `vagrant ssh-config`: the VMs' own sshd, or with --switch-port the switch "
        "inside each VM (on the VM's address under libvirt, on the forwarded host port under VirtualBox NAT). "
        "The password is never written: the fleet reads SWITCH_AGENT_PASSWORD.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("ssh_config", nargs="?", help="file with `vagrant ssh-config` output ('-' for stdin)")
    source.add_argument("--vagrant-dir", help="run `vagrant ssh-config` (and `vagrant port`) in this folder")
    p.add_argument("--forwarded", help="file with `vagrant port --machine-readable` output (VirtualBox NAT)")
    p.add_argument("-o", "--output", help="inventory file to write (default: print)")
    p.add_argument("--switch-port", type=int, help="port of the emulated switch inside each VM (vagrant/ lab: 8022)")
    p.add_argument("--username", help="switch username (default: SWITCH_AGENT_USER, else admin with "
                   "--switch-port, else Vagrant's User)")
    p.set_defaults(func=cmd_import_vagrant)


def add_worker_parser(sub: Any) -> None:
    """Register ``switch-agent worker``: a Celery worker for ``fleet --backend celery``."""
    p = _sub(sub, "worker", "run a Celery worker that executes fleet tasks (fleet --backend celery)",
                       description="A Celery worker with late acknowledgement, a threads pool and one lock per "
                                   "device in the broker; passwords come from this worker's environment.")
    p.add_argument("--broker", default=os.environ.get("SWITCH_AGENT_BROKER"),
                   help="broker URL, e.g. redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672// "
                        "(default $SWITCH_AGENT_BROKER)")
    p.add_argument("--queues", default="site.default",
                   help="comma-separated queues, site.<data.site> of the devices this worker reaches "
                        "(default site.default)")
    p.add_argument("-c", "--concurrency", type=int, default=50, help="devices at once (threads, default 50)")
    p.add_argument("-n", "--name", help="worker name (default switch-agent-<pid>@<host>)")
    p.add_argument("--known-hosts", metavar="FILE",
                   help="this worker's known_hosts (default ~/.config/switch-agent/known_hosts)")
    p.add_argument("--loglevel", default="INFO", help="Celery log level (default INFO)")
    p.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    if not args.broker:
        raise ConfigError("worker: --broker URL (or SWITCH_AGENT_BROKER) is required")
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    if not queues:
        raise ConfigError("worker: --queues needs at least one queue name")
    if args.known_hosts:
        os.environ["SWITCH_AGENT_KNOWN_HOSTS"] = str(Path(args.known_hosts).resolve())
    from agent.fleet.celery_tasks import worker_main

    worker_main(args.broker, queues, args.concurrency, args.name, args.loglevel)
    return 0


# ---------------------------------------------------------------------------- helpers

class NothingToDo(Exception):
    """The selection is empty for a good reason (e.g. nothing failed): a message and exit code 0."""


def _patterns(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _failed_names(path: str) -> list[str]:
    """Names of the devices that failed in a JSON report written by ``--report``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        devices = document["devices"]
        return [d["name"] for d in devices if d.get("status") != "ok"]
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the report: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a fleet JSON report ({exc})") from None


def select_hosts(names: list[str], include: list[str], exclude: list[str]) -> list[str]:
    """Host names matching any ``include`` pattern (all when none), minus any ``exclude`` one.

    Patterns are shell-style (``*``, ``?``, ``[...]``) and case-sensitive, as host names are. A
    plain name (no wildcard) that matches no host is an error, so a typo never silently means
    "nothing"; a pattern that matches nothing is one too.
    """
    chosen = list(names)
    if include:
        for pattern in include:
            if not fnmatch.filter(names, pattern):
                what = "no such host" if not _WILDCARD.search(pattern) else "no host matches"
                raise ConfigError(f"--hosts: {what}: {pattern}")
        chosen = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in include)]
    return [n for n in chosen if not any(fnmatch.fnmatchcase(n, p) for p in exclude)]


_WILDCARD = re.compile(r"[*?\[]")


def _inventory(args: argparse.Namespace) -> Any:
    """The inventory, filtered by ``--hosts`` / ``--exclude`` / ``--group`` / ``--failed-from``."""
    from agent.fleet.inventory import load_inventory

    inventory = load_inventory(args.inventory)
    names = select_hosts(list(inventory.hosts), _patterns(args.hosts), _patterns(getattr(args, "exclude", None)))
    failed_from = getattr(args, "failed_from", None)
    if failed_from:
        failed = set(_failed_names(failed_from))
        names = [n for n in names if n in failed]
        if not names:
            raise NothingToDo(f"{failed_from}: no device failed in that run (among those selected): nothing to re-run")
    inventory = inventory.filter(names, args.group)
    if not inventory.hosts:
        raise ConfigError(f"{args.inventory}: no hosts selected")
    return inventory


def nothing_to_do(func: Any) -> Any:
    """Run a fleet command; an empty selection with a reason (NothingToDo) is a message and exit 0."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except NothingToDo as exc:
            print(str(exc), file=sys.stderr)
            return 0

    wrapper.__doc__ = func.__doc__
    return wrapper


def _fleet(args: argparse.Namespace, progress: Any = None) -> Any:
    import logging

    if not getattr(args, "verbose", False):
        for noisy in ("paramiko", "netmiko"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    from agent.fleet.api import Fleet
    from agent.fleet.runner import RunOptions
    from agent.fleet.transport import ConnectSettings

    inventory = _inventory(args)
    limits = {}
    for name, value in args.group_limit:
        if not value.isdigit():
            raise ConfigError(f"--group-limit {name}={value}: N must be a number")
        limits[name] = int(value)
    options = RunOptions(
        concurrency=max(1, args.concurrency), group_limits=limits, retries=max(0, args.retries),
        backoff=args.backoff,
        settings=ConnectSettings(timeout=args.timeout, fast=not args.slow, allow_ssh1=args.allow_ssh1,
                                 max_output=max(1024, args.max_output), host_key_policy=args.host_key_policy,
                                 known_hosts=args.known_hosts),
    )
    return Fleet(inventory, options=options, backend=args.backend, broker=args.broker, on_result=progress)


class _Progress:
    """A rich progress bar on stderr, advanced from worker threads."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = enabled
        self.failed = 0
        self.progress = Progress(
            TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
            console=Console(stderr=True), disable=not enabled,
        )
        self.task = self.progress.add_task(label, total=total, failed=0)

    def __call__(self, result: DeviceResult) -> None:
        if not result.ok:
            self.failed += 1
        self.progress.update(self.task, advance=1, failed=self.failed)

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _execute(args: argparse.Namespace, label: str, call: Any) -> RunReport:
    """Build the fleet, ask for passwords before the bar starts, then run with progress."""
    fleet = _fleet(args)
    if args.backend == "local":
        fleet.secrets.preload(fleet.hosts)
    with _Progress(len(fleet.hosts), label, not args.no_progress) as progress:
        fleet.on_result = progress
        report: RunReport = call(fleet)
    return report


def _json_to_stdout(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False) or getattr(args, "report", None) == "-")


def human(args: argparse.Namespace) -> Any:
    """Where text for people goes: standard output, or standard error when it carries the JSON."""
    return sys.stderr if _json_to_stdout(args) else sys.stdout


def _console(args: argparse.Namespace) -> Any:
    """Tables at the terminal's width; plain text (see print_summary) when not a terminal."""
    from rich.console import Console

    stream = human(args)
    return Console(file=stream) if stream.isatty() else Console(file=stream, width=200)


PENDING = 3  # --exit-code: changes are pending (git diff --exit-code, terraform plan -detailed-exitcode)


def _finish(args: argparse.Namespace, report: RunReport) -> int:
    print_summary(report, _console(args))
    if _json_to_stdout(args):
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
        sys.stdout.flush()
    if getattr(args, "report", None) not in (None, "-"):
        report.write(args.report)
        print(f"report written to {args.report}", file=human(args))
    cancelled = sum(1 for r in report.results if r.error_class == "cancelled")
    if cancelled:
        print(f"interrupted: {cancelled} device(s) were not started", file=sys.stderr)
        return 130
    if report.exit_code:
        return report.exit_code
    if getattr(args, "exit_code", False) and any(r.changed for r in report.results):
        return PENDING
    return 0


def _vars(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return dict(pairs)


# ---------------------------------------------------------------------------- commands

def cmd_push(args: argparse.Namespace) -> int:
    report = _execute(args, "push", lambda f: f.push(args.templates, replace=args.replace, dry_run=args.dry_run,
                                                       extra_vars=_vars(args.var), save_when=args.save_when))
    scripts: dict[str, list[str]] = defaultdict(list)
    for r in report.results:
        if r.ok and r.changed:
            scripts[r.detail.get("script", "")].append(r.name)
    for index, (script, names) in enumerate(sorted(scripts.items(), key=lambda kv: -len(kv[1]))):
        if index >= args.show:
            print(f"... {len(scripts) - args.show} more distinct change(s) not shown", file=human(args))
            break
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        verb = "would change" if args.dry_run else "changed"
        print(f"--- {verb} on {len(names)} device(s): {shown}", file=human(args))
        print(script, end="", file=human(args))
    return _finish(args, report)


def cmd_render(args: argparse.Namespace) -> int:
    from agent.fleet.api import Fleet
    from agent.fleet.configdiff import mask_text

    rendered = Fleet(_inventory(args)).render(args.templates, _vars(args.var))
    if not args.show_secrets:
        rendered = {name: mask_text(text) for name, text in rendered.items()}
    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in rendered.items():
            (out / f"{name}.cfg").write_text(text, encoding="utf-8")
        print(f"rendered {len(rendered)} device(s) to {out}")
        return 0
    for name, text in rendered.items():
        print(f"### {name}")
        print(text, end="")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    report = _execute(args, "backup", lambda f: f.backup(args.directory))
    return _finish(args, report)


def cmd_diff(args: argparse.Namespace) -> int:
    if not args.templates and (args.var or args.replace):
        raise ConfigError("fleet diff: --var and --replace apply only with --templates")
    report = _execute(args, "diff", lambda f: f.diff(backup_dir=args.backup, templates=args.templates,
                                                       replace=args.replace, extra_vars=_vars(args.var),
                                                       saved=args.saved))
    for r in report.results:
        if r.ok and r.changed:
            print(f"--- {r.name}", file=human(args))
            print(r.detail.get("text", ""), end="", file=human(args))
    return _finish(args, report)


def cmd_run(args: argparse.Namespace) -> int:
    report = _execute(args, "run", lambda f: f.run(args.command))
    out = Path(args.output) if args.output else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    for r in report.results:
        if r.ok:
            if out:
                (out / f"{r.name}.txt").write_text(r.detail.get("output", ""), encoding="utf-8")
            else:
                print(f"### {r.name}", file=human(args))
                print(r.detail.get("output", "").rstrip("\n"), file=human(args))
    return _finish(args, report)


def cmd_facts(args: argparse.Namespace) -> int:
    from rich.table import Table

    report = _execute(args, "facts", lambda f: f.facts())
    table = Table(title="facts")
    for col in ("device", "model", "version", "release", "interfaces", "up", "vlans"):
        table.add_column(col)
    facts = {r.name: r.detail.get("facts", {}) for r in report.results if r.ok}
    for name, f in list(facts.items())[:50]:
        vlans = f.get("vlans", [])
        table.add_row(name, str(f.get("model", "")), str(f.get("version", "")), str(f.get("release", "")),
                      str(f.get("interfaces", "")), str(f.get("interfaces_up", "")),
                      " ".join(map(str, vlans[:12])) + (" ..." if len(vlans) > 12 else ""))
    _console(args).print(table)
    if args.output:
        Path(args.output).write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    return _finish(args, report)


def cmd_compliance(args: argparse.Namespace) -> int:
    report = _execute(args, "compliance", lambda f: f.compliance(args.rules))
    for r in report.results:
        failed = [f for f in r.detail.get("findings", []) if not f["passed"]]
        if failed:
            print(f"--- {r.name}: " + "; ".join(f"{f['rule']}" + (f" ({f['detail']})" if f["detail"] else "")
                                             for f in failed), file=human(args))
    return _finish(args, report)


def cmd_import_vagrant(args: argparse.Namespace) -> int:
    import yaml

    from agent.fleet.vagrant import (
        import_from_vagrant,
        import_vagrant,
        import_vagrant_file,
        parse_forwarded_ports,
    )

    username = args.username or os.environ.get("SWITCH_AGENT_USER") or ("admin" if args.switch_port else None)
    options: dict[str, Any] = {"switch_port": args.switch_port, "username": username}
    if args.vagrant_dir:
        if args.forwarded:
            raise ConfigError("--forwarded goes with an ssh-config file; --vagrant-dir asks Vagrant itself")
        doc = import_from_vagrant(args.vagrant_dir, **options)
    elif args.ssh_config == "-":
        if args.forwarded:
            options["forwarded"] = parse_forwarded_ports(Path(args.forwarded).read_text(encoding="utf-8"), args.forwarded)
        doc = import_vagrant(sys.stdin.read(), "<stdin>", **options)
    else:
        doc = import_vagrant_file(args.ssh_config, forwarded_file=args.forwarded, **options)
    text = "# Imported from `vagrant ssh-config`; set SWITCH_AGENT_PASSWORD for the switch password.\n"
    text += yaml.safe_dump(doc, sort_keys=False)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(doc['hosts'])} host(s) to {args.output}")
    else:
        print(text, end="")
    return 0
