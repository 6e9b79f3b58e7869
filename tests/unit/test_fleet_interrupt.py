"""Ctrl+C during a fleet run: devices not started are left alone and reported as cancelled."""

from __future__ import annotations

import _thread
import socket
import threading

import pytest

from agent.fleet.inventory import Host
from agent.fleet.runner import RunOptions, run_local
from agent.fleet.transport import ConnectSettings

pytestmark = pytest.mark.interop  # netmiko against a listening socket


def test_interrupt_cancels_devices_not_started() -> None:
    silent = socket.socket()  # accepts TCP connections and never says a word: every device hangs
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    hosts = [Host(name=f"sw{i}", hostname="127.0.0.1", port=port, username="admin", platform="hp_comware",
                  groups=[], data={})
             for i in range(6)]
    options = RunOptions(concurrency=1, retries=0, settings=ConnectSettings(timeout=1.0))
    timer = threading.Timer(0.3, _thread.interrupt_main)  # what Ctrl+C does to the main thread
    timer.start()
    try:
        results = run_local("run", hosts, {h.name: "pw" for h in hosts}, {h.name: {"command": "display clock"}
                            for h in hosts}, options)
    finally:
        timer.cancel()
        silent.close()
    classes = [r.error_class for r in results]
    started = [c for c in classes if c != "cancelled"]
    assert classes[0] != "cancelled"  # it was running: it finished (here: timed out)
    assert classes == started + ["cancelled"] * (len(classes) - len(started))  # the rest never started
    assert classes.count("cancelled") >= 3
