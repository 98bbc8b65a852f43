"""Housekeeping tasks of the core app, run on the schedule in fugong/schedule.py."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .idempotency import purge_expired_keys
from .models import Job, PeriodicRun


@task()
def purge_idempotency_keys() -> dict[str, Any]:
    return {"deleted": purge_expired_keys(settings.RETENTION_DAYS["idempotency_keys"])}


@task()
def purge_old_jobs() -> dict[str, Any]:
    """Finished jobs (with their result files' error lists) and old schedule claims go."""
    cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS["jobs"])
    jobs, _ = Job.objects.filter(finished_at__lt=cutoff).delete()
    runs, _ = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    return {"jobs": jobs, "periodic_runs": runs}
