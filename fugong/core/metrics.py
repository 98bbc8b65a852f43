"""/metrics for Prometheus: the processes' request metrics (django-prometheus) and what the
database says at scrape time (the task queue, jobs; apps register their own in AppConfig.ready:
notify its outbox, screening its check-ins).

Under gunicorn each worker process counts its own requests; with PROMETHEUS_MULTIPROC_DIR set
(before the processes start) they write to files there and any process's /metrics adds them all
up (prometheus_client's multiprocess mode; gunicorn.conf.py marks dead workers). The database
figures are read once per scrape, whichever process answers.

Labels are names from the code (a view's name, a queue, a task's path, a status, a channel's id
and kind), never a URL, a person or a number they typed.
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from . import heartbeat, task_queue
from .http import client_ip
from .models import Job

logger = logging.getLogger(__name__)

Metric = GaugeMetricFamily
Collect = Callable[[datetime], Iterable[Metric]]

COLLECTORS: dict[str, Collect] = {}


def register(name: str, collect: Collect) -> None:
    """Add the metrics `collect(now)` reads from the database at each scrape (one cheap query, please)."""
    COLLECTORS[name] = collect


def may_read(request: HttpRequest) -> bool:
    """With the bearer token, or from an allowed address (as the audit log sees it, through TRUSTED_PROXIES)."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    address = client_ip(request)
    if not address or not settings.METRICS_ALLOWED_NETWORKS:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in settings.METRICS_ALLOWED_NETWORKS)


class DatabaseCollector(Collector):
    """Every registered collector at scrape time; one that fails is reported down, the rest still answer."""

    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        up = GaugeMetricFamily(
            "fugong_metrics_collector_up",
            "1 when the collector read the database at this scrape.",
            labels=["collector"],
        )
        for name, collect in COLLECTORS.items():
            try:
                families = list(collect(now))
            except Exception:
                logger.exception("Metrics collector %s failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def exposition() -> bytes:
    """The text Prometheus scrapes: every process's request metrics, then the database's figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return generate_latest(processes) + generate_latest(database)


def _tasks(now: datetime) -> Iterable[Metric]:
    counts = GaugeMetricFamily(
        "fugong_tasks", "Background task results in the database, by queue and status.", labels=["queue", "status"]
    )
    for (queue, status), n in sorted(task_queue.counts_by_queue_and_status().items()):
        counts.add_metric([queue, status], n)
    oldest = GaugeMetricFamily(
        "fugong_task_oldest_waiting_seconds",
        "Age of the oldest task due and not yet taken by a worker, by queue.",
        labels=["queue"],
    )
    for queue, since in sorted(task_queue.oldest_waiting_by_queue().items()):
        oldest.add_metric([queue], max(0.0, (now - since).total_seconds()))
    failed = GaugeMetricFamily("fugong_task_failures", "Failed task results still kept, by task.", labels=["task"])
    for task, n in sorted(task_queue.failures_by_task().items()):
        failed.add_metric([task], n)
    return [counts, oldest, failed]


def _jobs(now: datetime) -> Iterable[Metric]:
    jobs = GaugeMetricFamily(
        "fugong_jobs",
        "Background jobs people started (imports, plans, broadcasts), by kind and status.",
        labels=["kind", "status"],
    )
    rows = Job.objects.order_by().values("kind", "status").annotate(n=Count("pk"))
    for row in sorted(rows, key=lambda r: (r["kind"], r["status"])):
        jobs.add_metric([row["kind"], row["status"]], row["n"])
    return [jobs]


def _workers(now: datetime) -> Iterable[Metric]:
    heard = heartbeat.heard_from(now)
    alive = GaugeMetricFamily(
        "fugong_workers", "Workers heard from within READY_WORKER_SECONDS (their heartbeat).", value=heard.alive
    )
    silence = GaugeMetricFamily(
        "fugong_worker_heartbeat_age_seconds",
        "Seconds since any worker last wrote its heartbeat (absent when none ever did).",
    )
    if heard.last_seen is not None:
        silence.add_metric([], max(0.0, (now - heard.last_seen).total_seconds()))
    return [alive, silence]


register("tasks", _tasks)
register("jobs", _jobs)
register("workers", _workers)
