"""Write the lab's inventory for the fleet controller, Nornir and Ansible.

Nornir's SimpleInventory is a folder of three files (``hosts.yaml``, ``groups.yaml``,
``defaults.yaml``): that is what ``--inventory PATH`` writes, unless PATH ends in ``.yaml`` /
``.yml``, where the same three mappings go into one file under ``hosts`` / ``groups`` /
``defaults`` (the fleet controller reads both). ``--ansible-inventory`` writes an Ansible YAML
inventory for ``ansible.netcommon.network_cli`` with this repository's Comware plugins.
Each device's address, port, username, platform and groups are named, plus data such as
``ssh1_only: true``. No file ever holds a password: the controller reads it from the
environment (``SWITCH_AGENT_PASSWORD``) or prompts for it; Ansible from ``--ask-pass`` or a vault.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from agent.lab.plan import DeviceSlot


def inventory_document(slots: Iterable[DeviceSlot], username: str) -> dict[str, Any]:
    """The inventory as a plain mapping (hosts / groups / defaults)."""
    hosts: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    for slot in slots:
        entry: dict[str, Any] = {
            "hostname": slot.host,
            "port": slot.port,
            "groups": [slot.group],
            "data": dict(slot.data),
        }
        if slot.snmp is not None:
            entry["data"]["snmp_port"] = slot.snmp[1]
        hosts[slot.name] = entry
        groups.setdefault(slot.group, {"data": {"lab": True}})
    return {
        "defaults": {"username": username, "platform": "hp_comware", "data": {"site": "lab"}},
        "groups": groups,
        "hosts": hosts,
    }


_HEADER = "# Written by `switch-agent lab`: no passwords here; set SWITCH_AGENT_PASSWORD for the controller.\n"
SINGLE_FILE_SUFFIXES = (".yaml", ".yml")


def _write_atomically(path: Path, document: Any, header: str = _HEADER) -> None:
    """Write YAML so that a reader never sees half a file."""
    text = header + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_inventory(path: Path, slots: Iterable[DeviceSlot], username: str) -> None:
    """One file when ``path`` ends in .yaml/.yml, else a Nornir SimpleInventory folder."""
    document = inventory_document(slots, username)
    if path.suffix in SINGLE_FILE_SUFFIXES:
        _write_atomically(path, document)
        return
    for part in ("hosts", "groups", "defaults"):  # hosts last would be better, but each is atomic
        _write_atomically(path / f"{part}.yaml", document[part])


# Ansible: network_cli with the collection in ansible_collections/switch_agent/comware.
ANSIBLE_NETWORK_OS = "switch_agent.comware.comware"


def ansible_inventory_document(slots: Iterable[DeviceSlot], username: str) -> dict[str, Any]:
    """An Ansible YAML inventory: one group per lab group, under ``all``."""
    groups: dict[str, Any] = {}
    for slot in slots:
        host: dict[str, Any] = {"ansible_host": slot.host, "ansible_port": slot.port}
        if slot.data.get("ssh1_only"):
            host["switch_agent_ssh1_only"] = True  # network_cli speaks SSH-2 only
        group = re.sub(r"\W", "_", slot.group)  # Ansible wants group names that are identifiers
        group = group if group.isidentifier() else f"lab_{group}"
        groups.setdefault(group, {"hosts": {}})["hosts"][slot.name] = host
    return {
        "all": {
            "vars": {
                "ansible_connection": "ansible.netcommon.network_cli",
                "ansible_network_os": ANSIBLE_NETWORK_OS,
                "ansible_user": username,
            },
            "children": groups,
        }
    }


def write_ansible_inventory(path: Path, slots: Iterable[DeviceSlot], username: str) -> None:
    header = ("# Written by `switch-agent lab`: no passwords here; give it with --ask-pass (or ansible_password\n"
              "# in a vault); set ANSIBLE_COLLECTIONS_PATH to the switch-agent checkout for switch_agent.comware.\n")
    _write_atomically(path, ansible_inventory_document(slots, username), header)
