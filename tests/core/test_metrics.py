"""/metrics: a 404 for anyone without the token or an allowed address; for Prometheus the request
latency by view, the task queue, jobs, the outbox and check-ins, with labels that name no one."""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from fugong.core import heartbeat
from fugong.notify import services as notify
from fugong.notify.models import Channel
from fugong.screening.models import Channel as CheckInChannel
from fugong.screening.services import checkins
from fugong.screening.services.checkins import Visitor
from tests.core.sample_tasks import count_to
from tests.screening.conftest import GREEN, open_hall

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-0123456789"


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    return TOKEN


def scrape(**headers: Any) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Each family's samples: {name: {sorted labels: value}}."""
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, **headers)
    assert response.status_code == 200
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def total(samples: dict[tuple[tuple[str, str], ...], float], **wanted: str) -> float:
    return sum(v for labels, v in samples.items() if wanted.items() <= dict(labels).items())


def test_without_the_token_or_from_outside_there_is_no_such_page(db: Any, token: str) -> None:
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # Through the trusted proxy, the address it names is the one that counts.
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9").status_code == 404
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.1.2.3").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="10.1.7.7").status_code == 200
    # A spoofed header from a client that is not a proxy is not believed.
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="10.1.2.3").status_code == 404


def test_no_token_set_means_no_token_opens_it(db: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.fixture
def console(db: Any) -> Channel:
    channel = notify.save_channel(None, name="控制台", kind="console", options={}, rate_per_minute=10_000)
    notify.save_template(None, channel, kind="order_dispatched", text="订单 {eta} 送达", parameters=["eta"])
    return channel


def test_the_queue_and_the_outbox_are_counted_as_they_change(console: Channel, token: str) -> None:
    before = scrape()
    assert total(before.get("fugong_tasks", {}), status="READY") == 0
    assert before["fugong_metrics_collector_up"] == {
        (("collector", name),): 1.0 for name in ("tasks", "jobs", "workers", "outbox", "checkins")
    }
    assert before["fugong_workers"] == {(): 0.0} and "fugong_worker_heartbeat_age_seconds" not in before

    heartbeat.beat("worker-host:4242", timezone.now())
    count_to.enqueue(3)
    notify.enqueue(None, console, "order_dispatched", ["+8613812345678", "+8613912345678"], {"eta": "10:00"})
    after = scrape()
    assert after["fugong_workers"] == {(): 1.0} and after["fugong_worker_heartbeat_age_seconds"][()] < 60
    # The task (the outbox's dispatch task is enqueued on commit, which a test's transaction never reaches).
    assert total(after["fugong_tasks"], queue="default", status="READY") == 1
    assert (("queue", "default"),) in after["fugong_task_oldest_waiting_seconds"]
    channel = str(console.pk)
    assert after["fugong_outbox_messages"] == {
        (("channel", channel), ("channel_kind", "console"), ("status", "queued")): 2.0
    }
    assert (("channel", channel),) in after["fugong_outbox_oldest_waiting_seconds"]
    assert "13812345678" not in str(after)


def test_failed_jobs_and_tasks_are_counted(db: Any, token: str, run_tasks: Any) -> None:
    from fugong.core.jobs import start_job
    from tests.core.sample_tasks import crash

    start_job(crash, kind="sample_crash", title="crash", user=None)
    run_tasks()
    found = scrape()
    assert total(found["fugong_jobs"], kind="sample_crash", status="failed") == 1
    assert found["fugong_task_failures"] == {(("task", "tests.core.sample_tasks.crash"),): 1.0}


def test_check_ins_per_minute(demo: Any, token: str) -> None:
    hall = open_hall()
    assert scrape()["fugong_checkins_last_minute"] == {(): 0.0}
    checkins.check_in(None, hall, Visitor("张三", mobile="13812345678"), GREEN, channel=CheckInChannel.PHONE)
    assert scrape()["fugong_checkins_last_minute"] == {(): 1.0}


def test_latency_is_by_view_name_never_the_url_with_its_token(db: Any, token: str) -> None:
    signed = "/volunteers/duty/AbCdEf123secret-token/"
    Client().get(signed)
    Client().get("/healthz")
    text = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert "AbCdEf123secret-token" not in text
    latency = scrape()["django_http_requests_latency_seconds_by_view_method_count"]
    assert total(latency, view="core:healthz", method="GET") >= 1


def test_several_processes_are_added_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two processes each answer a request; a third one's /metrics counts both (as under gunicorn)."""
    (tmp_path / "prometheus").mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "FUGONG_VAR_DIR": str(tmp_path),  # a database of its own, empty: only the request counts matter
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    serve = (
        "import django; django.setup(); from django.test import Client; "
        "Client().get('/healthz'); Client().get('/healthz')"
    )
    read = (
        "import django; django.setup(); from fugong.core import metrics; "
        "import sys; sys.stdout.write(metrics.exposition().decode())"
    )
    servers = [subprocess.Popen([sys.executable, "-c", serve], cwd=ROOT, env=env) for _ in range(2)]
    assert [server.wait(timeout=120) for server in servers] == [0, 0]
    # The reader asks the database nothing it needs here: its collectors may fail, the processes' sum may not.
    out = subprocess.run([sys.executable, "-c", read], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    counts = {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(out.stdout)
        for s in family.samples
        if s.name == "django_http_requests_latency_seconds_by_view_method_count"
    }
    assert counts[(("method", "GET"), ("view", "core:healthz"))] == 4
