"""Fleet push benchmark: our controller versus Nornir + nornir-netmiko and Nornir + nornir-scrapli.

For each lab size (default 200 and 1,000 devices, one `switch-agent lab` process of its own on
127.0.0.1) and each machine condition (``quiet``, and ``hog``: ``--hog N`` busy-looping Python
processes of fixed size that the benchmark starts before the three pushes and stops after them)
it pushes one template (three named VLANs) to every device with:

1. ``switch-agent fleet`` (agent.fleet.api.Fleet.push): read running and saved configuration,
   send only the difference, verify, ``save force``; netmiko hp_comware, host keys checked
   strictly against the known_hosts the lab writes at start (``--tofu``: learned on first use).
2. Nornir 3 threaded runner + nornir_netmiko ``netmiko_send_config`` + ``netmiko_save_config``
   (stock netmiko hp_comware timing).
3. Nornir 3 threaded runner + nornir_scrapli ``send_configs`` + ``send_command('save force')``
   (scrapli 1.x, scrapli-community hp_comware), once per ``--scrapli-transports`` (default
   paramiko and ssh2: libssh2 in C; nornir-scrapli drives scrapli's synchronous driver, so its
   asyncio transports are out of its reach).

Each tool writes other VLAN names than the one before it, so every run really changes every
device. Reported per run: devices per second (devices / wall time of the whole run, failures
counted), the controller's own CPU time per device (getrusage of this process, all its threads,
plus its children: the controller runs in this process, the lab in its own) and the lab's CPU
time per device (/proc of the lab process).

    .venv/bin/python bench/fleet_bench.py --sizes 200 1000 --workers 100 --hog 2 --json results.json
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import proc_cpu_seconds  # noqa: E402

PASSWORD = "Bench-fleet-pass-1"
VLANS = ((10, "users"), (20, "voice"), (30, "mgmt"))
HOG_CODE = "while True:\n    pass\n"


def template(dir_: Path, suffix: str) -> Path:
    path = dir_ / f"vlans-{suffix}.j2"
    path.write_text("".join(f"vlan {v}\n name {n}-{suffix}\n#\n" for v, n in VLANS))
    return path


def peer_commands(suffix: str) -> list[str]:
    """The same VLANs as configuration lines for the peers (each VLAN view left with ``quit``)."""
    out: list[str] = []
    for vid, name in VLANS:
        out += [f"vlan {vid}", f"name {name}-{suffix}", "quit"]
    return out


def _cpu_self_and_children() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measured(tool: str, run: Callable[[], tuple[int, int]], lab_pid: int) -> dict[str, object]:
    """Wall time, controller CPU (this process) and lab CPU of one push over the whole lab."""
    cpu0, lab0 = _cpu_self_and_children(), proc_cpu_seconds(lab_pid)
    started = time.monotonic()
    total, failed = run()
    seconds = time.monotonic() - started
    cpu, lab_cpu = _cpu_self_and_children() - cpu0, proc_cpu_seconds(lab_pid) - lab0
    return {"tool": tool, "devices": total, "ok": total - failed, "failed": failed,
            "seconds": round(seconds, 2), "devices_per_second": round(total / seconds, 1),
            "controller_cpu_ms_per_device": round(1000 * cpu / total, 2),
            "lab_cpu_ms_per_device": round(1000 * lab_cpu / total, 2)}


def ours(inventory: Path, tpl: Path, workers: int, known_hosts: Path | None = None) -> Callable[[], tuple[int, int]]:
    from agent.fleet.api import Fleet
    from agent.fleet.runner import RunOptions
    from agent.fleet.secrets import Secrets
    from agent.fleet.transport import ConnectSettings

    # host keys learned into a file of this lab's (trust on first use, as a first push does), or
    # checked strictly against the file the lab wrote at start (the default; --tofu for the other)
    settings = (ConnectSettings(known_hosts=str(known_hosts), host_key_policy="strict") if known_hosts
                else ConnectSettings(known_hosts=str(inventory.with_name(inventory.stem + ".known_hosts"))))
    fleet = Fleet.from_file(inventory, options=RunOptions(concurrency=workers, retries=1, settings=settings),
                            secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": PASSWORD}, interactive=False))

    def run() -> tuple[int, int]:
        s = fleet.push([tpl]).summary()
        if s["failed"]:
            print(f"  switch-agent fleet failures: {s['error_classes']}", file=sys.stderr)
        return s["total"], s["failed"]

    return run


def _nornir(inventory: Path, workers: int, work: Path, connection_options: dict[str, object]):  # noqa: ANN202
    import yaml
    from nornir import InitNornir

    doc = yaml.safe_load(inventory.read_text())
    defaults = dict(doc.get("defaults") or {})
    defaults["connection_options"] = connection_options
    for key, value in (("hosts", doc.get("hosts", {})), ("groups", doc.get("groups", {})), ("defaults", defaults)):
        (work / f"{key}.yaml").write_text(yaml.safe_dump(value))
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(work / "hosts.yaml"), "group_file": str(work / "groups.yaml"),
            "defaults_file": str(work / "defaults.yaml")}},
        logging={"enabled": False},
    )
    nr.inventory.defaults.password = PASSWORD  # in memory only
    return nr


def _nornir_run(nr, task, name: str) -> tuple[int, int]:  # noqa: ANN001
    result = nr.run(task=task)
    nr.close_connections()
    failed = len(result.failed_hosts)
    if failed:
        first = next(iter(result.failed_hosts.values()))
        print(f"  {name}: {failed} failed, e.g. {str(first.exception)[:200]}", file=sys.stderr)
    return len(nr.inventory.hosts), failed


def nornir_netmiko(inventory: Path, commands: list[str], workers: int, work: Path) -> Callable[[], tuple[int, int]]:
    from nornir_netmiko.tasks import netmiko_save_config, netmiko_send_config

    nr = _nornir(inventory, workers, work, {})

    def push(task):  # type: ignore[no-untyped-def]
        task.run(task=netmiko_send_config, config_commands=commands)
        task.run(task=netmiko_save_config)

    return lambda: _nornir_run(nr, push, "nornir-netmiko")


def nornir_scrapli(inventory: Path, commands: list[str], workers: int, work: Path,
                   transport: str) -> Callable[[], tuple[int, int]]:
    from nornir_scrapli.tasks import send_command, send_configs

    extras = {"auth_strict_key": False, "transport": transport, "timeout_socket": 20, "timeout_transport": 30,
              "timeout_ops": 30}
    if transport == "system":
        extras["transport_options"] = {"open_cmd": ["-o", "UserKnownHostsFile=/dev/null"]}
    nr = _nornir(inventory, workers, work, {"scrapli": {"platform": "hp_comware", "extras": extras}})

    def push(task):  # type: ignore[no-untyped-def]
        r = task.run(task=send_configs, configs=commands, stop_on_failed=True)
        if r.failed:
            return
        task.run(task=send_command, command="save force")

    return lambda: _nornir_run(nr, push, "nornir-scrapli")


@contextmanager
def cpu_hog(processes: int) -> Iterator[list[int]]:
    """``processes`` Python busy loops beside the run (the same size every run), stopped after it."""
    procs = [subprocess.Popen([sys.executable, "-c", HOG_CODE]) for _ in range(processes)]
    try:
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--workers", type=int, default=100, help="concurrency for every tool")
    parser.add_argument("--hog", type=int, default=2, help="busy-loop processes beside the 'hog' runs")
    parser.add_argument("--conditions", nargs="+", choices=("quiet", "hog"), default=["quiet", "hog"])
    parser.add_argument("--tools", nargs="+", choices=("ours", "netmiko", "scrapli"),
                        default=["ours", "netmiko", "scrapli"])
    parser.add_argument("--scrapli-transports", nargs="+", default=["paramiko", "ssh2"],
                        choices=("paramiko", "ssh2", "system"),
                        help="scrapli's synchronous transports to run (each one a peer of its own)")
    parser.add_argument("--lab-processes", type=int, default=1)
    parser.add_argument("--skip-nornir", action="store_true", help="the same as --tools ours")
    parser.add_argument("--lab-known-hosts", action="store_true",
                        help="accepted for older command lines: the lab's known_hosts is the default now")
    parser.add_argument("--tofu", action="store_true",
                        help="our push learns host keys on first contact (the lab makes each key then) instead "
                             "of checking the known_hosts the lab writes at start strictly")
    parser.add_argument("--json", help="write results here")
    args = parser.parse_args()
    if args.skip_nornir:
        args.tools = ["ours"]

    from agent.lab.process import LabProcess

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import logging

    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    logging.getLogger("scrapli").setLevel(logging.CRITICAL)
    logging.getLogger("nornir").setLevel(logging.CRITICAL)  # failures are counted and one is shown
    results = []
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        work = Path(tmp)
        suffixes = {"ours": "a", "netmiko": "b", "scrapli": "c"}
        tools = [t for t in args.tools if t != "scrapli"]
        if "scrapli" in args.tools:
            tools += [f"scrapli-{t}" for t in args.scrapli_transports]
        for size in args.sizes:
            known = None if args.tofu else work / f"known_hosts-{size}"
            lab = LabProcess(work / f"state-{size}", work / f"lab-{size}.yaml", count=size,
                             users=[f"admin:{PASSWORD}:3"], processes=args.lab_processes,
                             log=work / f"lab-{size}.log", extra=["--known-hosts", str(known)] if known else None)
            with lab.start(timeout=300):
                print(f"lab of {size}: {lab.ready_line}", flush=True)
                assert lab.process is not None
                lab_pid = lab.process.pid
                inventory = lab.inventory
                runs: dict[str, Callable[[], Callable[[], tuple[int, int]]]] = {
                    "ours": functools.partial(ours, inventory, template(work, suffixes["ours"]), args.workers, known),
                    "netmiko": functools.partial(nornir_netmiko, inventory, peer_commands(suffixes["netmiko"]),
                                                 args.workers, work),
                }
                names = {"ours": "switch-agent fleet", "netmiko": "nornir + nornir-netmiko"}
                for i, transport in enumerate(args.scrapli_transports):
                    # each scrapli run writes other names than the run before it
                    runs[f"scrapli-{transport}"] = functools.partial(
                        nornir_scrapli, inventory, peer_commands(f"{suffixes['scrapli']}{i}"), args.workers, work,
                        transport)
                    names[f"scrapli-{transport}"] = f"nornir + nornir-scrapli ({transport})"
                # every device reached, changed and saved once, untimed: the lab's first-contact
                # work (state files, first save) is paid by no tool
                ours(inventory, template(work, "warm-up"), args.workers, known)()
                for condition in args.conditions:
                    hog = args.hog if condition == "hog" else 0
                    with cpu_hog(hog):
                        for tool in tools:
                            run = runs[tool]()  # set-up (inventory, templates) outside the timing
                            row = measured(names[tool], run, lab_pid)
                            row.update(lab=size, condition=condition, hog_processes=hog, workers=args.workers)
                            print(json.dumps(row), flush=True)
                            results.append(row)
                    by_tool = {r["tool"]: r for r in results if r["lab"] == size and r["condition"] == condition}
                    mine = by_tool.get(names["ours"])
                    for tool in tools[1:]:
                        peer = by_tool.get(names[tool])
                        if mine and peer:
                            ratio = float(mine["devices_per_second"]) / float(peer["devices_per_second"])  # type: ignore[arg-type]
                            print(f"  {size} {condition}: {ratio:.2f}x {names[tool]}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
