"""Import ``vagrant ssh-config`` output as inventory hosts.

The output is one ``Host <machine>`` stanza per VM with indented ``Key Value`` lines
(HostName, Port, User, IdentityFile, ...). Unknown keys are kept out of the way; IdentityFile
goes to the netmiko connection options (netmiko's own ssh_config_file support ignores it).
"""

from __future__ import annotations

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


def import_vagrant(
    text: str,
    source: str = "<ssh-config>",
    *,
    switch_port: int | None = None,
    username: str | None = None,
    group: str = "vagrant",
) -> dict[str, Any]:
    """An inventory mapping for the machines in ``vagrant ssh-config`` output.

    By default the host is the VM's SSH endpoint as Vagrant reports it. In the vagrant/ lab
    the "switch" runs inside the VM on a forwarded port, so ``switch_port`` and ``username``
    point the controller at the switch instead of the VM's own sshd.
    """
    hosts: dict[str, Any] = {}
    for name, keys in parse_ssh_config(text, source).items():
        try:
            port = int(keys.get("port", "22"))
        except ValueError:
            raise ConfigError(f"{source}: host {name}: bad Port {keys.get('port')!r}") from None
        entry: dict[str, Any] = {
            "hostname": keys.get("hostname", name),
            "port": switch_port or port,
            "username": username or keys.get("user", "vagrant"),
            "platform": "hp_comware",
            "groups": [group],
            "data": {"vagrant_machine": name},
        }
        identity = keys.get("identityfile")
        if identity and not switch_port:
            entry["connection_options"] = {"netmiko": {"extras": {"key_file": identity, "use_keys": True}}}
        hosts[name] = entry
    if not hosts:
        raise ConfigError(f"{source}: no 'Host' stanzas found (is this `vagrant ssh-config` output?)")
    return {"groups": {group: {"data": {"site": "vagrant"}}}, "hosts": hosts}


def import_vagrant_file(path: str | Path, **kwargs: Any) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return import_vagrant(text, str(path), **kwargs)
