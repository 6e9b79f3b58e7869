"""The device's whole MIB view: every section, and cache invalidation from device changes."""

from __future__ import annotations

from typing import Any

from agent.snmp import mib_bridge, mib_entity, mib_interfaces, mib_system
from agent.snmp.oidtree import OidTree


def build_tree(device: Any) -> OidTree:
    """An OidTree over ``device`` (sections: system, interfaces, bridge, ifMIB, entity).

    The tree listens to the device (every change drops its cached rows); ``tree.detach()``
    stops listening.
    """
    counters = mib_interfaces.Counters()
    tree = OidTree(
        [
            mib_system.section(device),
            mib_interfaces.section_interfaces(device, counters),
            mib_bridge.section(device),
            mib_interfaces.section_ifmib(device, counters),
            mib_entity.section(device),
        ]
    )
    tree.counters = counters  # type: ignore[attr-defined]
    tree.detach = device.subscribe(tree.invalidate)  # type: ignore[attr-defined]
    return tree
