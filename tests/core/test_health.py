"""/healthz answers without the database; /readyz says ready only when the database, the
migrations, a worker, the task queue and the outbox all are, and names what is not."""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import OperationalError, connection
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from fugong.core import heartbeat, readiness
from fugong.core.models import WorkerHeartbeat
from fugong.notify import services as notify
from fugong.notify.models import Channel
from tests.core.sample_tasks import count_to
from tests.notify.test_worker_crash import ROOT, database_url, wait_for

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def readyz() -> tuple[int, dict[str, Any]]:
    response = Client().get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def failing(body: dict[str, Any]) -> set[str]:
    return {name for name, outcome in body["checks"].items() if not outcome["ok"]}


def a_worker_beats() -> None:
    heartbeat.beat("worker-host:4242", timezone.now())


def test_healthz_answers_without_touching_the_database() -> None:
    response = Client().get("/healthz")  # no db fixture: pytest-django refuses any query
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_every_check_passes(db: Any, clock: Any) -> None:
    a_worker_beats()
    status, body = readyz()
    assert status == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "worker", "tasks", "outbox"}
    assert body["checks"]["worker"] == {"ok": True, "workers": 1, "last_seen_seconds": 0, "limit_seconds": 60.0}


def test_an_unreachable_database_is_a_503_naming_it_not_a_traceback(db: Any, monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: Connection refused')

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)
        status, body = readyz()
    assert status == 503 and body["status"] == "unready"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    # The rest need the database: reported skipped, not failed one by one.
    assert body["checks"]["worker"] == {"ok": False, "skipped": "database"}
    assert "10.0.0.5" not in str(body)


def test_an_unapplied_migration_is_unready_and_an_applied_state_is_remembered(db: Any, monkeypatch: Any) -> None:
    a_worker_beats()
    monkeypatch.setattr(readiness, "_migrated", False)
    pending = [(Migration("0099_coming", "core"), False)]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: pending)
    status, body = readyz()
    assert status == 503 and failing(body) == {"migrations"}
    assert body["checks"]["migrations"] == {"ok": False, "unapplied": 1}

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [])
    assert readyz()[0] == 200

    def unread(self: Any, targets: Any) -> Any:
        raise AssertionError("the migrations were read again")

    monkeypatch.setattr(MigrationExecutor, "migration_plan", unread)
    assert readyz()[0] == 200  # cached: probes do not read every migration file


def test_no_worker_is_unready(db: Any) -> None:
    status, body = readyz()
    assert status == 503 and failing(body) == {"worker"}
    assert body["checks"]["worker"]["workers"] == 0


def test_a_worker_silent_for_more_than_a_minute_is_not_counted(db: Any, clock: Any) -> None:
    a_worker_beats()
    clock.shift(timedelta(seconds=59))
    assert readyz()[0] == 200
    clock.shift(timedelta(seconds=2))
    status, body = readyz()
    assert status == 503 and failing(body) == {"worker"}


def test_a_worker_silent_for_ten_minutes_is_forgotten_by_the_next_one(db: Any, clock: Any) -> None:
    heartbeat.beat("crashed:1", timezone.now())
    clock.shift(timedelta(minutes=11))
    a_worker_beats()
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["worker-host:4242"]


def test_a_task_waiting_more_than_five_minutes_is_unready(db: Any, clock: Any) -> None:
    count_to.enqueue(3)
    count_to.using(run_after=NOW + timedelta(hours=1)).enqueue(3)  # scheduled for later: not waiting
    clock.shift(timedelta(seconds=300))
    a_worker_beats()
    status, body = readyz()
    assert status == 200 and body["checks"]["tasks"]["oldest_seconds"] == 300
    clock.shift(timedelta(seconds=2))
    a_worker_beats()
    status, body = readyz()
    assert status == 503 and failing(body) == {"tasks"}
    assert body["checks"]["tasks"] == {"ok": False, "oldest_seconds": 302, "limit_seconds": 300.0}


@pytest.fixture
def console(db: Any) -> Channel:
    channel = notify.save_channel(None, name="控制台", kind="console", options={}, rate_per_minute=10_000)
    notify.save_template(None, channel, kind="order_dispatched", text="订单 {eta} 送达", parameters=["eta"])
    return channel


def test_a_message_waiting_more_than_fifteen_minutes_is_unready(console: Channel, clock: Any) -> None:
    notify.enqueue(None, console, "order_dispatched", ["+8613812345678"], {"eta": "10:00"})
    clock.shift(timedelta(minutes=16))
    a_worker_beats()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the dispatch task: here only the outbox is late
    status, body = readyz()
    assert status == 503 and failing(body) == {"outbox"}
    assert body["checks"]["outbox"]["oldest_seconds"] == 960
    assert "13812345678" not in str(body)

    console.paused_until = NOW + timedelta(hours=1)  # an administrator paused it: held on purpose
    console.save()
    assert readyz()[0] == 200


def start_worker() -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
    }
    command = [sys.executable, "-m", "fugong", "worker", "--no-reload", "--no-scheduler", "--no-startup-delay"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


@pytest.mark.django_db(transaction=True)
def test_readyz_turns_unready_when_the_worker_stops() -> None:
    assert readyz()[0] == 503
    worker = start_worker()
    try:
        wait_for(lambda: readyz()[0] == 200, seconds=60)
        status, body = readyz()
        assert body["checks"]["worker"]["workers"] == 1
        assert WorkerHeartbeat.objects.get().name == f"{socket.gethostname()}:{worker.pid}"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    status, body = readyz()  # at once: a clean stop removes the worker's heartbeat
    assert status == 503 and failing(body) == {"worker"}
    assert not WorkerHeartbeat.objects.exists()
