"""Report JSON shape, failure classification, runner isolation and group limits (no network)."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import paramiko
import pytest

from agent.fleet import runner
from agent.fleet.errors import CommandError, classify, short_message
from agent.fleet.inventory import Host
from agent.fleet.report import DeviceResult, RunReport
from agent.fleet.runner import GroupLimiter, RunOptions, run_local

KEYS = {"name", "host", "port", "status", "changed", "error_class", "error", "seconds"}


def test_report_json_shape(tmp_path: Path) -> None:
    report = RunReport("push", [
        DeviceResult("a", "127.0.0.1", 1, "ok", True, seconds=0.5, protocol="ssh2", detail={"script": "x"}),
        DeviceResult("b", "127.0.0.1", 2, "failed", False, "authentication", "Authentication failed", 0.25),
    ], seconds=1.0)
    path = tmp_path / "r.json"
    report.write(path)
    doc = json.loads(path.read_text())
    assert set(doc) == {"devices", "summary"}
    assert [set(d) for d in doc["devices"]] == [KEYS, KEYS]
    assert doc["devices"][1] == {"name": "b", "host": "127.0.0.1", "port": 2, "status": "failed", "changed": False,
                                 "error_class": "authentication", "error": "Authentication failed", "seconds": 0.25}
    summary = doc["summary"]
    assert (summary["total"], summary["ok"], summary["failed"], summary["changed"]) == (2, 1, 1, 1)
    assert summary["error_classes"] == {"authentication": 1}
    assert report.exit_code == 1


def _refused() -> OSError:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        socket.create_connection(("127.0.0.1", port), 1)
    except OSError as exc:
        return exc
    raise AssertionError("port unexpectedly open")


def _wrapped(inner: BaseException, outer: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 - netmiko wraps exactly like this
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (_wrapped(_refused(), Exception("TCP connection to device failed.\n\nCommon causes")), "unreachable"),
        (paramiko.AuthenticationException("Authentication failed."), "authentication"),
        (paramiko.SSHException("Incompatible version (1.5 instead of 2.0)"), "version"),
        (paramiko.SSHException("Incompatible ssh peer (no acceptable kex algorithm)"), "key exchange"),
        (paramiko.SSHException("Server '[127.0.0.1]:2222' not found in known_hosts"), "host key"),
        (TimeoutError("timed out"), "timeout"),
        (CommandError("device rejected 'x'"), "command error"),
    ],
)
def test_classify(exc: BaseException, cls: str) -> None:
    assert classify(exc) == cls
    assert "\n" not in short_message(exc)


def _hosts(n: int, group: str = "g") -> list[Host]:
    return [Host(f"h{i}", "127.0.0.1", 1000 + i, "u", "hp_comware", [group], {}) for i in range(n)]


def test_one_failure_never_stops_the_others_and_retries_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, int] = {}

    class Conn:
        protocol = "ssh2"

        def close(self) -> None:
            pass

    def fake_connect(host: Host, password: str, settings: object) -> Conn:
        calls[host.name] = calls.get(host.name, 0) + 1
        if host.name == "h1":
            raise ConnectionRefusedError(111, "Connection refused")
        if host.name == "h2":
            raise paramiko.AuthenticationException("Authentication failed.")
        return Conn()

    monkeypatch.setattr(runner, "connect", fake_connect)
    monkeypatch.setitem(runner.OPERATIONS, "run", lambda conn, params: (False, {"output": "ok"}))
    hosts = _hosts(5)
    results = run_local("run", hosts, {h.name: "pw" for h in hosts}, {}, RunOptions(retries=2, backoff=0.01))
    by = {r.name: r for r in results}
    assert [r.name for r in results] == [h.name for h in hosts]
    assert (by["h1"].error_class, by["h1"].attempts, calls["h1"]) == ("unreachable", 3, 3)
    assert (by["h2"].error_class, calls["h2"]) == ("authentication", 1)  # not retried
    assert all(by[n].ok for n in ("h0", "h3", "h4"))


def test_group_limit_bounds_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    active, peak, lock = [0], [0], threading.Lock()

    class Conn:
        protocol = "ssh2"

        def close(self) -> None:
            pass

    def op(conn: object, params: object) -> tuple[bool, dict[str, object]]:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return False, {}

    monkeypatch.setattr(runner, "connect", lambda *a: Conn())
    monkeypatch.setitem(runner.OPERATIONS, "run", op)
    hosts = _hosts(12, "site_a")
    run_local("run", hosts, {h.name: "pw" for h in hosts}, {}, RunOptions(concurrency=12, group_limits={"site_a": 3}))
    assert peak[0] == 3
    assert GroupLimiter({}).acquire(hosts[0]) == []
