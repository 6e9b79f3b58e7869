"""Crash leftovers and file names: a device tidies its state folder, a long name is a CLI error.

120 SIGKILLs during `save` never tore the configuration but left 31 temporary files behind; a
save-dialogue file name over 255 characters ended in an unhandled OSError traceback.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.helpers import Term, make_device


def test_device_removes_stale_temporaries_at_start(tmp_path: Path) -> None:
    device = make_device(tmp_path / "sw")
    device.save()
    flash = tmp_path / "sw" / "flash"
    saved = device.config_path.read_text()
    dead = _dead_pids(2)
    stale = [flash / f".{device.config_path.name}.{pid}.tmp" for pid in dead]
    for path in stale:
        path.write_text("half a configu")
    keys = tmp_path / "sw" / "keys"
    keys.mkdir(exist_ok=True)
    (keys / f".ssh_host_rsa_key.{dead[0]}.tmp").write_bytes(b"\x00")
    live = keys / f".ssh_host_ed25519_key.{os.getpid()}.tmp"  # a writer of this process, still running
    live.write_bytes(b"\x00")
    keep = flash / "notes.tmp"  # not a name our writer makes: not ours to delete
    keep.write_text("x")
    again = make_device(tmp_path / "sw")
    assert not any(path.exists() for path in stale)
    assert list(keys.glob(".*.tmp")) == [live]
    assert keep.exists()
    assert again.config_path.read_text() == saved


def _dead_pids(count: int) -> list[int]:
    """PIDs of processes that have exited (a killed writer's)."""
    import subprocess

    pids = []
    for _ in range(count):
        child = subprocess.Popen(["true"])
        child.wait()
        pids.append(child.pid)
    return pids


@pytest.mark.parametrize("length", [201, 256, 300, 4096])
def test_save_with_an_overlong_file_name_is_a_cli_error(tmp_path: Path, length: int, caplog: pytest.LogCaptureFixture) -> None:
    device = make_device(tmp_path / "sw")
    term = Term(device)
    name = "a" * (length - 4) + ".cfg"
    with caplog.at_level(logging.ERROR):
        out = term.line("save") + term.line("Y") + term.line(name)
    assert "The file name is invalid" in out, out  # (a 4096-character line is cut by the line editor first)
    assert "Traceback" not in caplog.text and not caplog.records
    assert term.session.prompt in out  # the session goes on
