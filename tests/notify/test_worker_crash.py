"""Killing the worker in the middle of a broadcast and starting it again sends every
message exactly once (issue acceptance)."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fugong.notify import services
from fugong.notify.models import Message, MessageStatus
from fugong.notify.tasks import dispatch_due_messages

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = [f"+861390796{i:04d}" for i in range(300)]


def database_url() -> str:
    """The test database, for a worker running in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker() -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "NOTIFY_LEASE_SECONDS": "1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fugong",
            "worker",
            "--no-reload",
            "--no-scheduler",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def delivered(path: Path) -> list[int]:
    ids = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            ids.append(json.loads(line)["id"])
        except ValueError:
            continue  # the line the kill cut short
    return ids


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_broadcast_sends_every_message_exactly_once(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    channel = services.save_channel(
        None, name="控制台", kind="console", options={"path": str(outbox), "delay_ms": 10}, rate_per_minute=100_000
    )
    services.save_template(
        None, channel, kind="suspension_renewed", text="尊敬的电力客户：暂停减容已自动续期。", parameters=[]
    )
    services.enqueue(None, channel, "suspension_renewed", RECIPIENTS)  # also enqueues the dispatch task

    worker = start_worker()
    try:
        wait_for(lambda: len(delivered(outbox)) >= 60, seconds=60)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no goodbye: mid-batch, maybe mid-line
        worker.wait()
    halfway = len(delivered(outbox))
    assert 60 <= halfway < len(RECIPIENTS)
    assert Message.objects.filter(status=MessageStatus.SENDING).exists()  # claimed, then orphaned

    # The orphaned claims' lease runs out (set back rather than waited for: the clock is not under test).
    Message.objects.filter(status=MessageStatus.SENDING).update(lease_until=timezone.now() - timedelta(seconds=1))
    dispatch_due_messages.enqueue()  # what the scheduler does every minute
    worker = start_worker()
    try:
        wait_for(lambda: not Message.objects.exclude(status=MessageStatus.SENT).exists(), seconds=90)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait()

    counts = Counter(delivered(outbox))
    assert len(counts) == len(RECIPIENTS)
    assert set(counts.values()) == {1}, [i for i, n in counts.items() if n > 1]
    assert Message.objects.filter(status=MessageStatus.SENT).count() == len(RECIPIENTS)
