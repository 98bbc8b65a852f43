"""The background task queue as an operator sees it (django-tasks-db's results table): what waits,
and since when. Read by /readyz and /metrics, one query each."""

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, F, Min, QuerySet, When
from django.db.models.functions import Greatest
from django_tasks_db.models import DBTaskResult, get_date_max


def _due_since() -> Case:
    """When a waiting task became due: when it was enqueued, or its run_after if later."""
    return Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest(F("enqueued_at"), F("run_after")),
    )


def waiting() -> QuerySet[Any]:
    """Tasks due now that no worker has taken (a task scheduled for later is not waiting yet)."""
    return DBTaskResult.objects.ready()


def oldest_waiting_since() -> datetime | None:
    oldest: datetime | None = waiting().aggregate(since=Min(_due_since()))["since"]
    return oldest


def oldest_waiting_by_queue() -> dict[str, datetime]:
    rows = waiting().order_by().values("queue_name").annotate(since=Min(_due_since()))
    return {row["queue_name"]: row["since"] for row in rows}


def counts_by_queue_and_status() -> dict[tuple[str, str], int]:
    rows = DBTaskResult.objects.order_by().values("queue_name", "status").annotate(n=Count("pk"))
    return {(row["queue_name"], row["status"]): row["n"] for row in rows}


def failures_by_task() -> dict[str, int]:
    """Failed results still kept (RETENTION_JOBS_DAYS), by the task's dotted path (code, never data)."""
    rows = DBTaskResult.objects.failed().order_by().values("task_path").annotate(n=Count("pk"))
    return {row["task_path"]: row["n"] for row in rows}
