"""The vagrant/ lab for real: two switch VMs under libvirt, driven by the fleet controller.

Builds (or reuses) the local/bookworm box and the wheelhouse in a cache folder outside the clone
(/var/cache/switch-agent, SWITCH_AGENT_CACHE to change it), starts libvirtd and virtlogd in a
network namespace of the test's own (vagrant/netns.sh), brings up one Comware 5 switch and one
SSH1-only switch, pushes the templates twice (the second push changes nothing), checks
compliance, halts and restarts the VMs (the saved configuration stays), and destroys everything.
The namespace, the daemons and every process in the namespace are stopped by PID at the end.

Needs root, Vagrant with vagrant-libvirt, libvirt and QEMU (scripts/setup.sh installs them when
run as root); skipped with the reason otherwise, or with SWITCH_AGENT_SKIP_VAGRANT=1 (about ten
minutes of two CPU cores: a developer's quick full run may leave it to CI). Step timings go to the cache folder
(vagrant-lab-timings.json) and to the test's output.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "vagrant"
CACHE = Path(os.environ.get("SWITCH_AGENT_CACHE", "/var/cache/switch-agent"))
PROFILES = ["3com-s7906e", "3com-s7906e-ssh1"]
TOOLS = ["vagrant", "libvirtd", "virtlogd", "virsh", "qemu-system-x86_64", "qemu-img", "mmdebstrap", "mkfs.ext4", "ip"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _skip_reason() -> str | None:
    if os.environ.get("SWITCH_AGENT_SKIP_VAGRANT") == "1":
        return "SWITCH_AGENT_SKIP_VAGRANT=1"
    if os.geteuid() != 0:
        return "needs root (network namespace, libvirtd, mmdebstrap)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing {', '.join(missing)} (scripts/setup.sh installs them as root)"
    plugins = subprocess.run(["vagrant", "plugin", "list"], capture_output=True, text=True, check=False).stdout
    if "vagrant-libvirt" not in plugins:
        return "the vagrant-libvirt plugin is not installed"
    accel = subprocess.run(["qemu-system-x86_64", "-accel", "help"], capture_output=True, text=True, check=False).stdout
    if "tcg" not in accel and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "neither QEMU emulation (tcg) nor /dev/kvm is usable"
    foreign = subprocess.run(["pgrep", "-x", "libvirtd"], capture_output=True, text=True, check=False).stdout.split()
    if foreign:
        return f"a libvirtd this test did not start is running (PID {', '.join(foreign)}); it is left alone"
    return None


class Lab:
    """Runs commands in the test's namespace and records how long each step took."""

    def __init__(self, tmp: Path) -> None:
        self.ns = f"swt{os.getpid()}"
        self.tmp = tmp
        self.timings: dict[str, float] = {}
        self.password = "Lab-" + secrets.token_hex(6)
        self.env = {
            **os.environ,
            "SWITCHES": str(len(PROFILES)),
            "PROFILES": ",".join(PROFILES),
            "SWITCH_AGENT_PASSWORD": self.password,
            "SWITCH_AGENT_USER": "admin",
            "WHEELHOUSE": str(CACHE / "wheelhouse"),
            "LAB_NAME": self.ns,
            "LIBVIRT_POOL_PATH": str(tmp / "pool"),
            "VAGRANT_DOTFILE_PATH": str(tmp / "dot-vagrant"),
            "VAGRANT_CHECKPOINT_DISABLE": "1",
            "BOX_CACHE": str(CACHE / "vagrant"),
        }

    def run(self, step: str, argv: list[str], *, netns: bool = True, check: bool = True, cwd: Path = LAB,
            timeout: float = 900) -> subprocess.CompletedProcess[str]:
        if netns:
            argv = ["ip", "netns", "exec", self.ns, *argv]
        start = time.monotonic()
        done = subprocess.run(argv, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        self.timings[step] = round(self.timings.get(step, 0) + time.monotonic() - start, 1)
        if check and done.returncode != 0:
            raise AssertionError(f"{step}: {' '.join(argv)} exited {done.returncode}\n"
                                 f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}")
        return done

    def fleet(self, step: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(step, [str(ROOT / ".venv" / "bin" / "switch-agent"), "fleet", *args], cwd=self.tmp, check=check)

    def inventory(self, step: str) -> dict:
        path = self.tmp / "inventory.yaml"
        self.fleet(step, "import-vagrant", "--vagrant-dir", str(LAB), "--switch-port", "8022", "-o", str(path))
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    def push(self, step: str) -> dict[str, bool]:
        report = self.tmp / f"{step}.json"
        self.fleet(step, "push", str(ROOT / "templates"), "-i", "inventory.yaml", "--var", "ops_password=Ops-pass-1",
                   "--no-progress", "--report", str(report))
        devices = json.loads(report.read_text(encoding="utf-8"))["devices"]
        assert all(d["status"] == "ok" for d in devices), devices
        return {d["name"]: d["changed"] for d in devices}

    def qemu_pids(self) -> list[str]:
        out = subprocess.run(["pgrep", "-f", f"guest={self.ns}-"], capture_output=True, text=True, check=False).stdout
        return out.split()


def test_vagrant_lab_two_switches(tmp_path: Path) -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    lab = Lab(tmp_path)
    (tmp_path / "pool").mkdir()
    lab.run("build-box", ["bash", str(LAB / "build-box.sh")], netns=False)
    lab.run("wheelhouse", ["bash", str(LAB / "wheelhouse.sh"), str(CACHE / "wheelhouse")], netns=False)
    lab.run("netns-up", ["bash", str(LAB / "netns.sh"), "up", lab.ns], netns=False)
    libvirtd = Path(f"/run/switch-agent-netns/{lab.ns}/libvirtd.pid").read_text().strip()
    try:
        lab.run("vagrant-up", ["vagrant", "up", "--provider", "libvirt"])
        doc = lab.inventory("import")
        hosts = doc["hosts"]
        assert list(hosts) == ["sw01", "sw02"]
        # libvirt: the switch on each VM's own address (inside the namespace), port 8022.
        assert {h["port"] for h in hosts.values()} == {8022}
        assert all(h["hostname"].startswith("192.168.") for h in hosts.values()), hosts
        assert hosts["sw02"]["data"].get("ssh1_only") is True and not hosts["sw01"]["data"].get("ssh1_only")
        # The password is in no inventory and in no world-readable file in the VM.
        assert lab.password not in (tmp_path / "inventory.yaml").read_text()
        listing = lab.run("check-secret", ["vagrant", "ssh", "sw01", "-c",
                                           "sudo stat -c '%a %U' /etc/switch-agent/users; "
                                           "sudo cat /proc/$(systemctl show -p MainPID --value switch-agent)/cmdline"])
        mode, owner = listing.stdout.split()[:2]
        assert (mode, owner) == ("600", "root"), listing.stdout
        assert "--users-file" in listing.stdout and lab.password not in listing.stdout, listing.stdout

        assert lab.push("push-1") == {"sw01": True, "sw02": True}
        assert lab.push("push-2") == {"sw01": False, "sw02": False}

        compliance = lab.fleet("compliance", "compliance", str(ROOT / "templates" / "compliance.yaml"), "-i",
                               "inventory.yaml", "--no-progress", check=False)
        failures = [line for line in compliance.stdout.splitlines() if line.startswith("--- ")]
        # The Comware 5 switch passes every rule; the SSH1-only one fails only no-ssh1 (it cannot speak SSH-2).
        assert len(failures) == 1 and failures[0].startswith("--- sw02: no-ssh1"), compliance.stdout

        lab.run("vagrant-halt", ["vagrant", "halt"])
        assert lab.qemu_pids() == []
        lab.run("vagrant-up-again", ["vagrant", "up", "--provider", "libvirt"])
        lab.inventory("import-again")
        # The saved configuration came back with the VMs: nothing to push.
        assert lab.push("push-after-restart") == {"sw01": False, "sw02": False}
    finally:
        lab.run("vagrant-destroy", ["vagrant", "destroy", "-f"], check=False)
        lab.run("netns-down", ["bash", str(LAB / "netns.sh"), "down", lab.ns], netns=False)
        total = round(sum(lab.timings.values()), 1)
        lab.timings["total"] = total
        print("vagrant lab timings (s):", json.dumps(lab.timings))
        try:
            (CACHE / "vagrant-lab-timings.json").write_text(json.dumps(lab.timings, indent=2) + "\n")
        except OSError:
            pass
    # Everything it started is gone: the namespace, our libvirtd, every VM.
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert lab.ns not in namespaces.split()
    assert not Path(f"/proc/{libvirtd}").exists()
    assert lab.qemu_pids() == []
    assert lab.timings["total"] < 20 * 60, lab.timings
