"""Shared fixtures: a real emulated device in a temporary state folder (made by tests/helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_device


@pytest.fixture(autouse=True)
def _close_memory_pairs():  # type: ignore[no-untyped-def]
    """The socket close of in-memory SSH-2 pairs (tests/ssh2_pair.py): frees their VTY lines."""
    yield
    from tests.ssh2_pair import OPEN_SERVERS

    for server in OPEN_SERVERS:
        server.connection_lost()
    OPEN_SERVERS.clear()


@pytest.fixture
def device(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_device(tmp_path / "state")


@pytest.fixture(scope="module")
def shared_device(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_device(tmp_path_factory.mktemp("shared") / "state")


@pytest.fixture(autouse=True)
def _own_known_hosts(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's fleet runs learn host keys into a known_hosts of their own: labs come and go on
    reused ports with new keys, which a shared file would rightly refuse as changed keys."""
    monkeypatch.setenv("SWITCH_AGENT_KNOWN_HOSTS", str(tmp_path_factory.mktemp("known_hosts") / "known_hosts"))
