"""Core's own kinds of kept data (the register itself is core/erasure.py)."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.tasks import TaskResultStatus
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from .erasure import Action, Kind, Period, register
from .models import IdempotencyKey, Job, PeriodicRun, RateEvent
from .throttle import KEPT

IDEMPOTENCY_KEYS = Period("idempotency_keys", "RETENTION_IDEMPOTENCY_DAYS")
JOBS = Period("jobs", "RETENTION_JOBS_DAYS")
# Schedule claims must outlive the longest period (a day), or a slot could be claimed again.
MIN_CLAIM_AGE = timedelta(days=2)


def _idempotency_keys(now: datetime) -> QuerySet[Any]:
    return IdempotencyKey.objects.filter(created_at__lt=IDEMPOTENCY_KEYS.before(now))


def _jobs(now: datetime) -> QuerySet[Any]:
    return Job.objects.filter(finished_at__lt=JOBS.before(now))


def _task_results(now: datetime) -> QuerySet[Any]:
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    return DBTaskResult.objects.filter(status__in=finished, finished_at__lt=JOBS.before(now))


def _schedule_claims(now: datetime) -> QuerySet[Any]:
    return PeriodicRun.objects.filter(slot__lt=min(JOBS.before(now), now - MIN_CLAIM_AGE))


def _rate_events(now: datetime) -> QuerySet[Any]:
    return RateEvent.objects.filter(at__lt=now - KEPT)


register(
    Kind(
        code="core.idempotency_keys",
        label=_("answers kept for resent requests"),
        holds=_("the answer to a phone's request, which may name people and their numbers"),
        kept=IDEMPOTENCY_KEYS,
        counted_from=_("the request"),
        action=Action.DELETE,
        models=("core.idempotencykey",),
        due=_idempotency_keys,
    ),
    Kind(
        code="core.jobs",
        label=_("finished background jobs"),
        holds=_("an import's rows in its error list, who started it"),
        kept=JOBS,
        counted_from=_("the job finished"),
        action=Action.DELETE,
        models=("core.job",),
        due=_jobs,
    ),
    Kind(
        code="core.task_results",
        label=_("finished task queue records"),
        holds=_("a task's arguments and result, which may name people"),
        kept=JOBS,
        counted_from=_("the task finished"),
        action=Action.DELETE,
        models=("django_tasks_database.dbtaskresult",),
        due=_task_results,
    ),
    Kind(
        code="core.schedule_claims",
        label=_("periodic job claims"),
        holds=_("none (which job ran when), kept at least two days"),
        kept=JOBS,
        counted_from=_("the scheduled time"),
        action=Action.DELETE,
        models=("core.periodicrun",),
        due=_schedule_claims,
    ),
    Kind(
        code="core.rate_events",
        label=_("counted requests for limits"),
        holds=_("sign-in names, mobiles and network addresses of requests without an account"),
        kept=Period(fixed_days=KEPT.days),
        counted_from=_("the request"),
        action=Action.DELETE,
        models=("core.rateevent",),
        due=_rate_events,
    ),
)
