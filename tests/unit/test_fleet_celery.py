"""The Celery task runs the same per-device operation (eager mode: no broker, no worker)."""

from __future__ import annotations

import pytest

from agent.fleet.inventory import Host
from agent.fleet.runner import RunOptions

celery_tasks = pytest.importorskip("agent.fleet.celery_tasks", reason="celery is not installed")


def test_celery_backend_runs_the_per_device_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.fleet import runner

    class Conn:
        protocol = "ssh2"

        def close(self) -> None:
            pass

    seen: list[str] = []

    def fake_connect(host: Host, password: str, settings: object) -> Conn:
        seen.append(password)
        return Conn()

    monkeypatch.setattr(runner, "connect", fake_connect)
    monkeypatch.setitem(runner.OPERATIONS, "run", lambda conn, params: (False, {"output": params["command"]}))
    monkeypatch.setenv("SITE_PW", "from-worker-env")
    celery_tasks.app.conf.task_always_eager = True
    try:
        hosts = [Host(f"h{i}", "127.0.0.1", 22, "u", "hp_comware", [], {"site": "a"}, password_env="SITE_PW")
                 for i in range(3)]
        results = celery_tasks.run_celery("run", hosts, {h.name: {"command": "display clock"} for h in hosts},
                                          RunOptions(), None)
    finally:
        celery_tasks.app.conf.task_always_eager = False
    assert [r.name for r in results] == ["h0", "h1", "h2"]
    assert all(r.ok and r.detail == {"output": "display clock"} for r in results)
    assert seen == ["from-worker-env"] * 3  # the password comes from the worker, not the broker
    assert celery_tasks.queue_for(hosts[0]) == "site.a"
    assert "password" not in hosts[0].to_dict()
