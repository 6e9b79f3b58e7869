"""The lab's worker pool: the parent closes its ends of the worker pipes once they reported."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from agent.lab.plan import plan_lab, slice_slots
from agent.lab.runtime import WorkerPool
from agent.lab.spec import DeviceGroup, LabSpec

pytestmark = pytest.mark.interop  # lab worker processes serving devices on 127.0.0.1


def _record_pipes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    context = multiprocessing.get_context("fork")
    made: list[Any] = []
    real = context.Pipe

    def pipe(duplex: bool = True) -> Any:
        ends = real(duplex)
        made.append(ends)
        return ends

    monkeypatch.setattr(context, "Pipe", pipe)
    return made


def test_worker_pool_closes_parent_pipe_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _record_pipes(monkeypatch)
    spec = LabSpec(devices=[DeviceGroup(profile="3com-s7906e", count=2)])
    slots = plan_lab(spec, listen=("127.0.0.1", 0), state=tmp_path)
    pool = WorkerPool(slice_slots(slots, 2))
    try:
        bound = pool.start(timeout=60)
        assert sorted(b.name for b in bound) == ["SW7906E-001", "SW7906E-002"]
        assert len(made) == 2
        assert all(parent.closed and child.closed for parent, child in made)
    finally:
        pool.stop()


def test_worker_pool_closes_pipes_when_a_worker_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _record_pipes(monkeypatch)
    spec = LabSpec(devices=[DeviceGroup(profile="3com-s7906e", count=1)])
    slots = plan_lab(spec, listen=("127.0.0.1", 0), state=tmp_path)
    slots[0].host = "192.0.2.1"  # not a local address: the worker cannot listen and reports it
    pool = WorkerPool([slots])
    with pytest.raises(RuntimeError, match="failed"):
        pool.start(timeout=60)
    assert not pool.processes
    assert all(parent.closed and child.closed for parent, child in made)
