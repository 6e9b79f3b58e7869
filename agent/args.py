"""Argument types shared by ``switch-agent serve`` and ``switch-agent lab``: clear errors for bad input."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pydantic import ValidationError

from agent.profiles.model import LabUser


def parse_listen(value: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``HOST:PORT``, ``[V6]:PORT`` or ``PORT`` -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = default_host, value
    host = host.strip("[]") or default_host
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad address {value!r}: expected HOST:PORT") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"bad port in {value!r}")
    return host, number


PASSWORD_ENV = "SWITCH_AGENT_PASSWORD"
_NO_PASSWORDS = (
    "a password on the command line is readable by every local user (ps, /proc); give NAME[:LEVEL] "
    f"with the password in ${PASSWORD_ENV}, or put NAME:PASSWORD[:LEVEL] lines in a --users-file"
)


def _lab_user(name: str, password: str, level: str, where: str) -> LabUser:
    try:
        return LabUser(name=name, password=password, level=int(level))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise argparse.ArgumentTypeError(f"{where}: {problems}") from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"{where}: LEVEL must be 0-3") from None


def parse_user(value: str) -> LabUser:
    """``NAME[:LEVEL]`` -> LabUser with the password from ``$SWITCH_AGENT_PASSWORD``.

    A password never goes on the command line: every local user can read a process's arguments,
    so ``NAME:PASSWORD[:LEVEL]`` is refused with the reason (without echoing the password).
    """
    name, _, level = value.partition(":")
    if ":" in level or (level and not level.isdigit()):
        raise argparse.ArgumentTypeError(f"bad --user {name}:...: {_NO_PASSWORDS}")
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise argparse.ArgumentTypeError(f"--user {name}: set the password in ${PASSWORD_ENV} (or use --users-file)")
    return _lab_user(name, password, level or "3", f"bad --user {value!r}")


def parse_users_file(value: str) -> list[LabUser]:
    """``--users-file FILE``: one ``NAME:PASSWORD[:LEVEL]`` per line (``#`` comments, blank lines)."""
    try:
        lines = Path(value).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"--users-file {value}: {exc.strerror or exc}") from None
    users = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(":")
        level = parts.pop() if len(parts) >= 3 and parts[-1].isdigit() else "3"
        name, password = parts[0], ":".join(parts[1:])
        if not name or not password:
            raise argparse.ArgumentTypeError(f"{value}:{number}: expected NAME:PASSWORD[:LEVEL]")
        users.append(_lab_user(name, password, level, f"{value}:{number}"))
    return users
