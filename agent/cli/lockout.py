"""Wrong `super` passwords: counted per CLI session, and the session is locked out after a few.

A level-1 user could guess the level-3 `super` password at 16 guesses a second in one session.
After ``ssh.limits.super_retries`` wrong passwords (3 by default) `super` is refused for the rest
of the session without asking for a password at all, so guessing needs a new login for every
few guesses, and new logins from the same source are themselves slowed by the per-source
penalties (agent.server.admission). Every failure is logged with the user and the peer.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("switch_agent.security")

LOCKED = "% Too many failed attempts: super is locked for this session."


def super_locked(session: Any) -> bool:
    """True once this session has used up its `super` attempts."""
    return int(session.super_failures) >= int(session.device.profile.ssh.limits.super_retries)


def super_failed(session: Any, target: int) -> list[str]:
    """Count a wrong `super` password; the lines to print (the lock notice on the last attempt)."""
    session.super_failures += 1
    retries = int(session.device.profile.ssh.limits.super_retries)
    log.warning(
        "%s: wrong super password for level %d from user %s at %s (%d of %d)",
        session.device.sysname, target, session.username or "-", session.peer or "console",
        session.super_failures, retries,
    )
    lines = ["% Password is incorrect."]
    if super_locked(session):
        log.warning("%s: super locked for user %s at %s", session.device.sysname, session.username or "-",
                    session.peer or "console")
        lines.append(LOCKED)
    return lines
