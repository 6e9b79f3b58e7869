"""``switch-agent lab``: start many emulated switches and write an inventory for the controller."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from agent.args import parse_listen, parse_user, parse_users_file
from agent.commandline import subcommand
from agent.errors import ConfigError
from agent.lab.inventory import write_ansible_inventory, write_inventory
from agent.lab.plan import DeviceSlot, plan_lab, slice_slots
from agent.lab.runtime import Bound, LabRuntime, WorkerPool
from agent.lab.spec import DeviceGroup, LabSpec, check_profile, load_spec
from agent.server.listener import run_event_loop

EXAMPLES = [
    "SWITCH_AGENT_PASSWORD=Lab-pass-1 switch-agent lab --profile device_profiles/3com-s7906e.yaml --count 50 "
    "--state lab-state --inventory lab.yaml",
    "switch-agent lab --spec lab-spec.yaml --state lab-state --inventory inventory/ --ansible-inventory hosts.yaml",
    "switch-agent lab --profile device_profiles/3com-s7906e.yaml --count 1000 --processes 2 --loopback "
    "--listen 127.1.0.1:2222 --state big-lab",
]


class StartProgress:
    """A progress bar on standard error for a lab whose start takes more than ``delay`` seconds.

    Small labs start in well under a second and print nothing extra; a big one (or one with SNMP
    agents, about 150 ms each) shows how far it is. Only on a terminal; the bar disappears when
    the lab is ready, leaving the one "lab ready" line.
    """

    def __init__(self, total: int, console: Any = None, delay: float = 1.0) -> None:
        from rich.console import Console

        self.total, self.delay = total, delay
        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal and not self.console.is_dumb_terminal
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("[bold]starting devices"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=self.console, transient=True, auto_refresh=False)
            self.bar.start()
            self.task = self.bar.add_task("start", total=self.total)
        self.bar.update(self.task, completed=done)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def add_lab_parser(sub: Any) -> None:
    """Register the ``lab`` subcommand on ``switch-agent``'s subparsers."""
    lab = subcommand(
        sub, "lab", "run many emulated switches in one process and write an inventory", EXAMPLES,
        description="Serve N emulated switches (each its own port or loopback address, sysname, "
        "host keys, users and saved configuration) and write a Nornir-style inventory.",
    )
    what = lab.add_mutually_exclusive_group(required=True)
    what.add_argument("--profile", help="device profile for every device (with --count)")
    what.add_argument("--spec", help="lab spec YAML naming several profiles and counts")
    lab.add_argument("--count", type=int, default=1, help="number of devices with --profile (default 1)")
    lab.add_argument("--listen", type=parse_listen, default="127.0.0.1:0",
                     help="first HOST:PORT; device i listens on PORT+i (PORT 0: any free port)")
    lab.add_argument("--loopback", action="store_true",
                     help="one loopback address per device (HOST+i), all on PORT")
    lab.add_argument("--state", required=True, help="state folder; device NAME keeps its state in STATE/NAME")
    lab.add_argument("--inventory", default="lab.yaml",
                     help="inventory to write: a Nornir SimpleInventory folder (hosts.yaml, groups.yaml, "
                     "defaults.yaml), or one file when it ends in .yaml/.yml (default lab.yaml)")
    lab.add_argument("--ansible-inventory", default=None, metavar="FILE",
                     help="also write an Ansible YAML inventory (network_cli + switch_agent.comware)")
    lab.add_argument("--snmp", type=parse_listen, default=None, help="first HOST:PORT of the SNMP agents (PORT+i)")
    lab.add_argument("--snmp-community", action="append", default=[], metavar="NAME",
                     help="read-only community for every device's SNMP agent (none unless given or configured)")
    lab.add_argument("--user", type=parse_user, action="append", default=[], metavar="NAME[:LEVEL]",
                     help="user added to every device on first start, password from $SWITCH_AGENT_PASSWORD "
                     "(never on the command line; repeatable)")
    lab.add_argument("--users-file", type=parse_users_file, action="append", default=[], metavar="FILE",
                     help="users added to every device on first start: NAME:PASSWORD[:LEVEL] lines")
    lab.add_argument("--processes", type=int, default=1, help="worker processes, one event loop each")
    lab.add_argument("--known-hosts", metavar="FILE",
                     help="write the devices' host keys to FILE (OpenSSH known_hosts) before 'lab ready', "
                          "so `fleet --host-key-policy strict --known-hosts FILE` checks them from the start")
    lab.add_argument("--prefix", default=None, help="sysname prefix (default: the profile's sysname)")
    lab.set_defaults(func=cmd_lab)


def build_spec(args: argparse.Namespace) -> LabSpec:
    """The lab spec from ``--spec`` or from ``--profile/--count``, plus ``--user`` and the env password."""
    if args.spec:
        spec = load_spec(args.spec)
    else:
        if args.count < 1:
            raise ConfigError("--count must be at least 1")
        spec = LabSpec(devices=[DeviceGroup(profile=check_profile(args.profile), count=args.count, prefix=args.prefix)])
    users = [*args.user, *(user for group in args.users_file for user in group)]
    if not users and not spec.users and os.environ.get("SWITCH_AGENT_PASSWORD"):
        from agent.profiles.model import LabUser

        users = [LabUser(name="admin", password=os.environ["SWITCH_AGENT_PASSWORD"], level=3)]
    spec.users = [*spec.users, *users]
    return spec


def _username(spec: LabSpec) -> str:
    if spec.inventory_username:
        return spec.inventory_username
    for user in spec.users:
        return user.name
    for group in spec.devices:
        for user in group.users:
            return user.name
    return "admin"


def _apply_bound(slots: list[DeviceSlot], bound: list[Bound]) -> None:
    by_name = {b.name: b for b in bound}
    for slot in slots:
        b = by_name[slot.name]
        slot.host, slot.port = b.host, b.port
        if b.snmp_port is not None and slot.snmp is not None:
            slot.snmp = (slot.snmp[0], b.snmp_port)


def _announce(slots: list[DeviceSlot], inventory: Path, seconds: float, processes: int) -> None:
    first, last = slots[0], slots[-1]
    print(
        f"lab ready: {len(slots)} devices in {processes} process(es), started in {seconds:.2f}s; "
        f"{first.name} {first.host}:{first.port} .. {last.name} {last.host}:{last.port}; inventory {inventory}",
        flush=True,
    )


def cmd_lab(args: argparse.Namespace) -> int:
    spec = build_spec(args)
    state = Path(args.state)
    state.mkdir(parents=True, exist_ok=True)
    slots = plan_lab(spec, listen=args.listen, state=state, loopback=args.loopback, snmp=args.snmp,
                     snmp_communities=tuple(args.snmp_community))
    inventory = Path(args.inventory)
    username = _username(spec)
    started = time.monotonic()
    if args.processes > 1:
        return _run_pool(slots, args, username, started)

    progress = StartProgress(len(slots))

    def ready(bound: list[Bound]) -> None:
        progress.close()
        _apply_bound(slots, bound)
        _write_inventories(args, slots, username)
        _announce(slots, inventory, time.monotonic() - started, 1)

    async def run() -> None:
        try:
            await LabRuntime(slots).serve(ready, progress)
        except OSError as exc:
            raise ConfigError(f"lab: cannot listen: {exc}") from None
        print(f"lab stopped: {len(slots)} devices", flush=True)

    run_event_loop(run())
    return 0


def _write_inventories(args: argparse.Namespace, slots: list[DeviceSlot], username: str) -> None:
    write_inventory(Path(args.inventory), slots, username)
    if args.known_hosts:
        from agent.lab.knownhosts import KeyMaker

        # After the devices started: a device's start clears temporary files from its key folder.
        KeyMaker(slots).write(Path(args.known_hosts))
    if args.ansible_inventory:
        write_ansible_inventory(Path(args.ansible_inventory), slots, username)


def _run_pool(slots: list[DeviceSlot], args: argparse.Namespace, username: str, started: float) -> int:
    processes, inventory = args.processes, Path(args.inventory)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    pool = WorkerPool(slice_slots(slots, processes))
    try:
        try:
            bound = pool.start()
        except RuntimeError as exc:
            raise ConfigError(f"lab: {exc}") from None
        _apply_bound(slots, bound)
        _write_inventories(args, slots, username)
        _announce(slots, inventory, time.monotonic() - started, len(pool.slices))
        while not stop.wait(0.5):
            dead = [p for p in pool.processes if not p.is_alive()]
            if dead:
                print(f"lab: worker {dead[0].pid} exited (code {dead[0].exitcode}); stopping", file=sys.stderr)
                return 1
        return 0
    finally:
        pool.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print(f"lab stopped: {len(slots)} devices", flush=True)
