"""Argument types shared by ``switch-agent serve`` and ``switch-agent lab``: clear errors for bad input."""

from __future__ import annotations

import argparse

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


def parse_user(value: str) -> LabUser:
    """``NAME:PASSWORD[:LEVEL]`` -> LabUser."""
    parts = value.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(f"bad --user {value!r}: expected NAME:PASSWORD[:LEVEL]")
    try:
        level = int(parts[2]) if len(parts) == 3 else 3
        return LabUser(name=parts[0], password=parts[1], level=level)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise argparse.ArgumentTypeError(f"bad --user {value!r}: {problems}") from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad --user {value!r}: LEVEL must be 0-3") from None
