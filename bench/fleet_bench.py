"""Fleet push benchmark: our controller versus Nornir + nornir-netmiko on the same lab, same run.

For each lab size (default 200 and 1,000 devices, one `switch-agent lab` process on 127.0.0.1)
it pushes one template (VLANs) to every device:

1. ``switch-agent fleet`` (agent.fleet.api.Fleet.push): read running config, send only the
   difference, verify, ``save force``; netmiko hp_comware with echo-checked config sends.
2. Nornir 3 threaded runner + nornir_netmiko ``netmiko_send_config`` + ``netmiko_save_config``
   (stock netmiko hp_comware timing), with other VLAN names so it changes the devices too.

and reports devices per second (devices / wall time of the whole run, failures counted).

    .venv/bin/python bench/fleet_bench.py --sizes 200 1000 --workers 100
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-fleet-pass-1"


def template(dir_: Path, suffix: str) -> Path:
    path = dir_ / f"vlans-{suffix}.j2"
    path.write_text("".join(f"vlan {v}\n name {n}-{suffix}\n#\n" for v, n in ((10, "users"), (20, "voice"), (30, "mgmt"))))
    return path


def ours(inventory: Path, tpl: Path, workers: int, known_hosts: Path | None = None) -> dict[str, object]:
    from agent.fleet.api import Fleet
    from agent.fleet.runner import RunOptions
    from agent.fleet.secrets import Secrets
    from agent.fleet.transport import ConnectSettings

    # host keys learned into a file of this lab's (trust on first use, as a first push does), or
    # checked strictly against the file the lab wrote (--lab-known-hosts)
    settings = (ConnectSettings(known_hosts=str(known_hosts), host_key_policy="strict") if known_hosts
                else ConnectSettings(known_hosts=str(inventory.with_name(inventory.stem + ".known_hosts"))))
    fleet = Fleet.from_file(inventory, options=RunOptions(concurrency=workers, retries=1, settings=settings),
                            secrets=Secrets(environ={"SWITCH_AGENT_PASSWORD": PASSWORD}, interactive=False))
    started = time.monotonic()
    report = fleet.push([tpl])
    seconds = time.monotonic() - started
    s = report.summary()
    return {"tool": "switch-agent fleet", "workers": workers, "devices": s["total"], "ok": s["ok"],
            "changed": s["changed"], "failed": s["failed"], "seconds": round(seconds, 2),
            "devices_per_second": round(s["total"] / seconds, 1), "errors": s["error_classes"]}


def nornir(inventory: Path, tpl_lines: list[str], workers: int, work: Path) -> dict[str, object]:
    import yaml
    from nornir import InitNornir
    from nornir_netmiko.tasks import netmiko_save_config, netmiko_send_config

    doc = yaml.safe_load(inventory.read_text())
    for key in ("hosts", "groups", "defaults"):
        (work / f"{key}.yaml").write_text(yaml.safe_dump(doc.get(key, {})))
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(work / "hosts.yaml"), "group_file": str(work / "groups.yaml"),
            "defaults_file": str(work / "defaults.yaml")}},
        logging={"enabled": False},
    )
    nr.inventory.defaults.password = PASSWORD  # in memory only

    def push(task):  # type: ignore[no-untyped-def]
        task.run(task=netmiko_send_config, config_commands=tpl_lines)
        task.run(task=netmiko_save_config)

    started = time.monotonic()
    result = nr.run(task=push)
    seconds = time.monotonic() - started
    nr.close_connections()
    total = len(nr.inventory.hosts)
    failed = len(result.failed_hosts)
    return {"tool": "nornir + nornir-netmiko", "workers": workers, "devices": total, "ok": total - failed,
            "changed": total - failed, "failed": failed, "seconds": round(seconds, 2),
            "devices_per_second": round(total / seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--workers", type=int, default=100, help="concurrency for both tools")
    parser.add_argument("--lab-processes", type=int, default=1)
    parser.add_argument("--skip-nornir", action="store_true")
    parser.add_argument("--lab-known-hosts", action="store_true",
                        help="the lab writes a known_hosts (lab --known-hosts); our push checks it strictly")
    parser.add_argument("--json", help="write results here")
    args = parser.parse_args()

    from agent.lab.process import LabProcess

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import logging

    logging.getLogger("paramiko").setLevel(logging.WARNING)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        work = Path(tmp)
        tpl_ours = template(work, "a")
        nornir_lines = [line for line in template(work, "b").read_text().splitlines() if line != "#"]
        nornir_lines = [x.strip() if x.startswith(" ") else x for x in nornir_lines]
        nornir_cmds: list[str] = []
        for line in nornir_lines:
            if line.startswith("vlan ") and nornir_cmds:
                nornir_cmds.append("quit")
            nornir_cmds.append(line)
        nornir_cmds.append("quit")
        for size in args.sizes:
            known = work / f"known_hosts-{size}" if args.lab_known_hosts else None
            lab = LabProcess(work / f"state-{size}", work / f"lab-{size}.yaml", count=size,
                             users=[f"admin:{PASSWORD}:3"], processes=args.lab_processes,
                             log=work / f"lab-{size}.log", extra=["--known-hosts", str(known)] if known else None)
            with lab.start(timeout=300):
                print(f"lab of {size}: {lab.ready_line}", flush=True)
                row = ours(lab.inventory, tpl_ours, args.workers, known)
                row["lab"] = size
                row["lab_start_seconds"] = round(lab.started_seconds, 2)
                print(json.dumps(row), flush=True)
                results.append(row)
                if not args.skip_nornir:
                    row = nornir(lab.inventory, nornir_cmds, args.workers, work)
                    row["lab"] = size
                    print(json.dumps(row), flush=True)
                    results.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
