"""Background jobs that people start and watch.

A job is a `Job` row (what the page polls) plus a django task run by `fugong worker`.
Task functions are written as `def work(progress: Progress, *args)` and decorated with
`@task()` on top of `@tracked`; `start_job` creates the row and enqueues the task.
"""

import functools
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Concatenate

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job
from .outage import is_outage
from .transactions import services_join

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """An expected failure with a result for the person to read (e.g. errors by row)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


class Progress:
    """What a running task reports; every call is one small UPDATE the page can see.

    A task doing all-or-nothing work holds one long transaction; progress written inside
    it would be seen only at commit. `update(..., inside_transaction=True)` therefore
    writes through a separate autocommit connection where the database allows a second
    writer (PostgreSQL); SQLite has one writer at a time, so there such updates are skipped.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._side: Any = None

    def update(
        self, done: int, total: int | None = None, message: str = "", *, inside_transaction: bool = False
    ) -> None:
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:300]
        if not inside_transaction:
            Job.objects.filter(pk=self.job_id).update(**fields)
        elif connection.vendor != "sqlite":
            self._update_on_side_connection(fields)

    def _update_on_side_connection(self, fields: dict[str, Any]) -> None:
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            self._side.set_autocommit(False)  # each update its own short transaction, committed below
        assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        try:
            with self._side.cursor() as cursor:
                if self._side.vendor == "postgresql":
                    # Progress is best effort: never wait on a lock the task itself may hold. LOCAL:
                    # the timeout ends with this transaction, so behind PgBouncer's transaction
                    # pooling it is not left on a server connection another client gets next.
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                cursor.execute(
                    f"UPDATE {connection.ops.quote_name(Job._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
                    [*fields.values(), self.job_id],
                )
            self._side.commit()
        except DatabaseError:
            with suppress(DatabaseError):
                self._side.rollback()
            logger.warning("Progress of job %s not recorded", self.job_id, exc_info=True)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def tracked[**P](
    func: Callable[Concatenate[Progress, P], dict[str, Any]],
) -> Callable[Concatenate[int, P], dict[str, Any]]:
    """Turn `work(progress, ...)` into `task(job_id, ...)` that keeps the Job row current."""

    @functools.wraps(func)
    def run(job_id: int, *args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
        progress = Progress(job_id)
        try:
            result = func(progress, *args, **kwargs)
        except JobFailed as failure:
            _finish(job_id, Job.Status.FAILED, failure.message, failure.result)
            return {"failed": failure.message}
        except Exception as error:
            if is_outage(error):
                raise  # nothing to record now: the worker runs the task again once the database is back
            logger.exception("Job %s failed unexpectedly", job_id)
            _finish(job_id, Job.Status.FAILED, _("The job stopped on an unexpected error."), {})
            raise
        finally:
            progress.close()
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
        with services_join():  # the immediate backend runs the task, and its service, right here
            result = task.enqueue(job.pk, *args)
        # With the immediate backend the task has already run and updated the row.
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.refresh_from_db()
    return job
