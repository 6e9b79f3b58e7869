"""Crash-safe file replacement: saved configurations, host keys, anything a crash must not tear."""

from __future__ import annotations

import os
import re
from pathlib import Path

# What atomic_write_bytes leaves behind when the process dies between open and rename.
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")


def remove_stale_temporaries(directory: Path) -> int:
    """Delete the temporary files a killed writer left in ``directory`` (a device does this at start,
    when no writer of its own can be running); returns how many there were."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match and not _alive(int(match.group(1))) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    """Whether the writer named in a temporary file is still running (this process included:
    a lab makes host keys on threads while its devices start)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, not ours to signal
    return True


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for configuration text (UTF-8, LF line ends)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``text`` so that a crash leaves either the old file or the new one, never a torn one.

    The data goes to a temporary file in the same directory, is fsynced, then renamed over the
    target with :func:`os.replace` (atomic on POSIX); the directory is fsynced so the rename
    itself survives a power cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
