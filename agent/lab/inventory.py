"""Write the lab's inventory in Nornir's SimpleInventory shape for the fleet controller.

The file names each device's address, port, username, platform and groups, plus data such as
``ssh1_only: true``. It never holds a password: the controller reads it from the environment
(``SWITCH_AGENT_PASSWORD``) or prompts for it.
"""

from __future__ import annotations

import os
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


def write_inventory(path: Path, slots: Iterable[DeviceSlot], username: str) -> None:
    """Atomically write the inventory (a reader never sees half a file)."""
    document = inventory_document(slots, username)
    text = "# Written by `switch-agent lab`: no passwords here; set SWITCH_AGENT_PASSWORD for the controller.\n"
    text += yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
