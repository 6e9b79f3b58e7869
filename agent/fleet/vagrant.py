"""Inventories from Vagrant: ``vagrant ssh-config`` (and ``vagrant port``) output to hosts.

``vagrant ssh-config`` prints one ``Host <machine>`` stanza per VM with indented ``Key Value``
lines (HostName, Port, User, IdentityFile, ...). By default each host is the VM's own sshd as
Vagrant reports it (right for a vendor box whose sshd *is* the switch); IdentityFile goes to the
netmiko connection options (netmiko's own ssh_config_file support ignores it).

In the vagrant/ lab the switch is a service inside each VM on ``switch_port``, and where it is
reached depends on the provider, which the ssh-config shows:

* libvirt (and VirtualBox host-only setups) report the VM's own address and port 22: the switch
  is at that address, on ``switch_port``;
* VirtualBox NAT reports 127.0.0.1 and a forwarded port: the switch is at 127.0.0.1 on the host
  port forwarded to ``switch_port``, which only ``vagrant port`` knows (its ``--machine-readable``
  output: ``TIME,MACHINE,forwarded_port,GUEST,HOST`` lines).

:func:`import_from_vagrant` runs both commands in a Vagrant project folder, and with
``switch_port`` reads each switch's banner: an SSH-1.5 one marks the host ``ssh1_only`` so the
fleet goes straight to its SSH1 client.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

from agent.errors import ConfigError


def parse_ssh_config(text: str, source: str = "<ssh-config>") -> dict[str, dict[str, str]]:
    """``{machine: {lowercased key: value}}`` in file order."""
    machines: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        if not value and "=" in key:
            key, _, value = key.partition("=")
        value = value.strip().strip('"')
        if key.lower() == "host":
            if not value:
                raise ConfigError(f"{source}:{number}: 'Host' without a machine name")
            current = machines.setdefault(value.split()[0], {})
            continue
        if current is None:
            raise ConfigError(f"{source}:{number}: {key!r} before any 'Host' line")
        current[key.lower()] = value
    return machines


def parse_forwarded_ports(text: str, source: str = "<vagrant port>") -> dict[str, dict[int, int]]:
    """``{machine: {guest port: host port}}`` from ``vagrant port --machine-readable`` output.

    Lines of other types (``metadata``, ``ui``) are skipped; the output of several machines may
    be concatenated.
    """
    ports: dict[str, dict[int, int]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        fields = raw.strip().split(",")
        if len(fields) < 3 or fields[2] != "forwarded_port":
            continue
        if len(fields) != 5 or not fields[1]:
            raise ConfigError(f"{source}:{number}: expected TIME,MACHINE,forwarded_port,GUEST,HOST: {raw.strip()!r}")
        try:
            guest, host = int(fields[3]), int(fields[4])
        except ValueError:
            raise ConfigError(f"{source}:{number}: ports must be numbers: {raw.strip()!r}") from None
        ports.setdefault(fields[1], {})[guest] = host
    return ports


def is_loopback(hostname: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: Vagrant's NAT forwarding, not the VM's address."""
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def import_vagrant(
    text: str,
    source: str = "<ssh-config>",
    *,
    switch_port: int | None = None,
    username: str | None = None,
    group: str = "vagrant",
    forwarded: dict[str, dict[int, int]] | None = None,
) -> dict[str, Any]:
    """An inventory mapping for the machines in ``vagrant ssh-config`` output.

    Without ``switch_port`` each host is the VM's SSH endpoint. With it, each host is the switch
    inside the VM: on the VM's address, or (NAT, a loopback HostName) on the host port that
    ``forwarded`` (from :func:`parse_forwarded_ports`) maps ``switch_port`` to. A NAT machine
    without such a forward is an error, not a guess.
    """
    hosts: dict[str, Any] = {}
    for name, keys in parse_ssh_config(text, source).items():
        hostname = keys.get("hostname", name)
        try:
            port = int(keys.get("port", "22"))
        except ValueError:
            raise ConfigError(f"{source}: host {name}: bad Port {keys.get('port')!r}") from None
        if switch_port is not None:
            if is_loopback(hostname):
                mapped = (forwarded or {}).get(name, {}).get(switch_port)
                if mapped is None:
                    raise ConfigError(
                        f"{source}: host {name} is reached through NAT ({hostname}:{port}) and no forwarded "
                        f"port for guest port {switch_port} is known: give `vagrant port --machine-readable` "
                        "output (--forwarded) or the Vagrant folder (--vagrant-dir)"
                    )
                port = mapped
            else:
                port = switch_port
        entry: dict[str, Any] = {
            "hostname": hostname,
            "port": port,
            "username": username or keys.get("user", "vagrant"),
            "platform": "hp_comware",
            "groups": [group],
            "data": {"vagrant_machine": name},
        }
        identity = keys.get("identityfile")
        if identity and switch_port is None:
            entry["connection_options"] = {"netmiko": {"extras": {"key_file": identity, "use_keys": True}}}
        hosts[name] = entry
    if not hosts:
        raise ConfigError(f"{source}: no 'Host' stanzas found (is this `vagrant ssh-config` output?)")
    return {"groups": {group: {"data": {"site": "vagrant"}}}, "hosts": hosts}


def import_vagrant_file(path: str | Path, *, forwarded_file: str | Path | None = None, **kwargs: Any) -> dict[str, Any]:
    """:func:`import_vagrant` on a saved ssh-config (and optionally saved ``vagrant port`` output)."""
    text = _read(path)
    if forwarded_file is not None:
        kwargs["forwarded"] = parse_forwarded_ports(_read(forwarded_file), str(forwarded_file))
    return import_vagrant(text, str(path), **kwargs)


def import_from_vagrant(directory: str | Path, *, vagrant: str = "vagrant", timeout: float = 300, **kwargs: Any) -> dict[str, Any]:
    """Run ``vagrant ssh-config`` in ``directory`` (and ``vagrant port`` for NAT machines)."""
    directory = Path(directory)
    if not (directory / "Vagrantfile").is_file() and not os.environ.get("VAGRANT_VAGRANTFILE"):
        raise ConfigError(f"{directory}: no Vagrantfile here")
    text = _vagrant([vagrant, "ssh-config"], directory, timeout)
    forwarded: dict[str, dict[int, int]] = {}
    if kwargs.get("switch_port") is not None:
        for name, keys in parse_ssh_config(text, "vagrant ssh-config").items():
            if is_loopback(keys.get("hostname", name)):
                output = _vagrant([vagrant, "port", "--machine-readable", name], directory, timeout)
                forwarded.update(parse_forwarded_ports(output, f"vagrant port {name}"))
    doc = import_vagrant(text, f"{directory}: vagrant ssh-config", forwarded=forwarded, **kwargs)
    if kwargs.get("switch_port") is not None:
        for entry in doc["hosts"].values():
            if read_banner(entry["hostname"], entry["port"]).startswith("SSH-1.5-"):
                entry["data"]["ssh1_only"] = True
    return doc


def read_banner(host: str, port: int, timeout: float = 5.0) -> str:
    """The SSH version line a server sends first ('' when it cannot be read)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            data = b""
            while b"\n" not in data and len(data) < 256:
                chunk = conn.recv(256)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return ""
    return data.split(b"\n", 1)[0].decode("ascii", "replace").rstrip("\r")


def _vagrant(argv: list[str], directory: Path, timeout: float) -> str:
    try:
        done = subprocess.run(argv, cwd=directory, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ConfigError(f"{argv[0]}: not found (is Vagrant installed?)") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"`{' '.join(argv)}` did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise ConfigError(f"`{' '.join(argv)}` in {directory} failed: {' '.join(detail[-3:]) or f'exit {done.returncode}'}")
    return done.stdout


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
