"""Housekeeping tasks of the core app, run on the schedule in fugong/site/schedule.py."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from . import throttle
from .idempotency import purge_expired_keys
from .models import Job, PeriodicRun


@task()
def purge_idempotency_keys() -> dict[str, Any]:
    return {"deleted": purge_expired_keys(settings.RETENTION_DAYS["idempotency_keys"])}


# Schedule claims must outlive the longest period (a day), or a slot could be claimed again.
MIN_CLAIM_AGE = timedelta(days=2)


@task()
def purge_old_jobs() -> dict[str, Any]:
    """Finished jobs (with their error lists), their queue records and old schedule claims."""
    now = timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS["jobs"])
    jobs, _ = Job.objects.filter(finished_at__lt=cutoff).delete()
    results, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    runs, _ = PeriodicRun.objects.filter(slot__lt=min(cutoff, now - MIN_CLAIM_AGE)).delete()
    return {"jobs": jobs, "task_results": results, "periodic_runs": runs}


@task()
def purge_rate_events() -> dict[str, Any]:
    return {"deleted": throttle.purge()}
