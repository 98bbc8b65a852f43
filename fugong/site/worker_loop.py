"""The task loop of `fugong worker`, carrying on through a database outage without a restart.

django-tasks-db's worker stops on the first OperationalError that is not a locked SQLite file,
and a task whose outcome cannot be written stays "running" for ever. Here:
- claiming: an outage is waited out (fugong.core.outage.wait_for_database: connections closed,
  a short backoff, a warning when it starts and when it ends), then the loop goes on;
- a task an outage interrupted: its transaction was rolled back, so once the database answers
  it goes back in the queue and runs again (a task is written to be run again whole: imports
  keep their file for it, the outbox never resends what a channel took, fugong.notify.sending);
  after MAX_RUNS runs it is recorded as failed instead;
- a task that finished (or failed on its own) while the database was away: its outcome is kept
  in memory and written once the database is back; the task is not run twice.
"""

import logging
from typing import Any

from django.db import DatabaseError
from django_tasks_db.compat import TASKS_LOGGER, TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from fugong.core.outage import is_outage, until_reachable, wait_for_database

MAX_RUNS = 10  # an outage every run: something else is wrong, stop retrying


class OutageTolerantWorker(db_worker.Worker):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        tasks_logger = logging.getLogger(TASKS_LOGGER)
        if not any(isinstance(f, QueuedAgainWithoutTraceback) for f in tasks_logger.filters):
            tasks_logger.addFilter(QueuedAgainWithoutTraceback())

    def run(self) -> None:
        while True:
            try:
                super().run()
                return
            except DatabaseError as error:
                if not is_outage(error):
                    raise
            wait_for_database("claiming tasks")

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # The parent runs the task and records its outcome through these two methods: recorded
        # here through an outage instead of failing the worker.
        record_success, record_failure = db_task_result.set_successful, db_task_result.set_failed

        def set_successful(return_value: Any) -> None:
            until_reachable(lambda: record_success(return_value), what="recording a finished task")

        def set_failed(error: BaseException) -> None:
            if is_outage(error) and len(db_task_result.worker_ids) < MAX_RUNS:
                until_reachable(lambda: run_again(db_task_result), what="queueing an interrupted task again")
            else:
                until_reachable(lambda: record_failure(error), what="recording a failed task")

        db_task_result.set_successful = set_successful
        db_task_result.set_failed = set_failed
        super().run_task(db_task_result)


def run_again(db_task_result: DBTaskResult) -> None:
    """Back in the queue, as it was before this worker claimed it."""
    DBTaskResult.objects.filter(pk=db_task_result.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    db_task_result.status = TaskResultStatus.READY
    db_task_result.started_at = None


class QueuedAgainWithoutTraceback(logging.Filter):
    """Django logs every finished task with the exception being handled; a task queued again
    after an outage did not fail: its line says so, without a traceback (the outage has its own
    warning lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR and record.exc_info and is_outage(record.exc_info[1] or Exception()):
            record.exc_info = None
            record.msg = f"{record.msg} (interrupted by a database outage: queued again)"
        return True
