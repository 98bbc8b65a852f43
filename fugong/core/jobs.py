"""Background jobs that people start and watch.

A job is a `Job` row (what the page polls) plus a django task run by `fugong worker`.
Task functions are written as `def work(progress: Progress, *args)` and decorated with
`@task()` on top of `@tracked`; `start_job` creates the row and enqueues the task.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any, Concatenate

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """An expected failure with a result for the person to read (e.g. errors by row)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


class Progress:
    """What a running task reports; every call is one small UPDATE the page can see.

    Call it outside the task's own write transaction: inside one it would not be seen
    until commit (and would wait on SQLite's writer lock).
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:300]
        Job.objects.filter(pk=self.job_id).update(**fields)


def tracked[**P](
    func: Callable[Concatenate[Progress, P], dict[str, Any]],
) -> Callable[Concatenate[int, P], dict[str, Any]]:
    """Turn `work(progress, ...)` into `task(job_id, ...)` that keeps the Job row current."""

    @functools.wraps(func)
    def run(job_id: int, *args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
        try:
            result = func(Progress(job_id), *args, **kwargs)
        except JobFailed as failure:
            _finish(job_id, Job.Status.FAILED, failure.message, failure.result)
            return {"failed": failure.message}
        except Exception:
            logger.exception("Job %s failed unexpectedly", job_id)
            _finish(job_id, Job.Status.FAILED, _("The job stopped on an unexpected error."), {})
            raise
        _finish(job_id, Job.Status.SUCCEEDED, str(result.get("message", "")), result)
        return result

    return run


def _finish(job_id: int, status: str, message: str, result: dict[str, Any]) -> None:
    Job.objects.filter(pk=job_id).update(
        status=status, message=message[:300], result=result, finished_at=timezone.now()
    )


def start_job(task: Task, *, kind: str, title: str, user: Any, args: tuple = ()) -> Job:
    """Create the job row and enqueue its task; the page then polls the row."""
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, created_by=user)
        result = task.enqueue(job.pk, *args)
        # With the immediate backend the task has already run and updated the row.
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.refresh_from_db()
    return job
