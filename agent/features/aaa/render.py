"""`display local-user` layout."""

from __future__ import annotations

from agent.device.device import Device


def local_users(device: Device) -> list[str]:
    lines: list[str] = []
    for name in sorted(device.local_users):
        user = device.local_users[name]
        lines += [f"  The contents of local user {name}:",
                  f"  State:                     {user.state.capitalize()}",
                  f"  ServiceType:               {' '.join(user.service_types) or '-'}",
                  "  Access-limit:              Disable           Current AccessNum: "
                  f"{sum(1 for i in device.sessions.infos() if i.username == name)}",
                  "  User-group:                system", "  Bind attributes:", "  Authorization attributes:",
                  f"   User Privilege:           {user.level or 0}"]
    lines.append(f"  Total {len(device.local_users)} local user(s) matched.")
    return lines
