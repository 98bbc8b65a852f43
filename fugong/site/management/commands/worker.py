"""`fugong worker`: runs background tasks and enqueues periodic jobs when they are due.

Run one or more on any host that reaches the database; each claims tasks with a locked
UPDATE and each periodic slot is claimed once, so adding workers is safe. A database outage is
waited out, not a reason to stop (fugong.site.worker_loop).
"""

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from fugong.core.heartbeat import Heartbeat
from fugong.core.outage import drop_broken_connections, is_outage
from fugong.core.scheduling import enqueue_due
from fugong.site.worker_loop import OutageTolerantWorker

logger = logging.getLogger("fugong.worker")


class Scheduler(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="fugong-scheduler", daemon=True)
        self.interval = interval

    def run(self) -> None:
        from fugong.site.schedule import PERIODIC_JOBS

        while True:
            try:
                close_old_connections()
                enqueue_due(PERIODIC_JOBS)
            except DatabaseError as error:
                if not is_outage(error):
                    logger.exception("Scheduling periodic jobs failed; retrying")
                else:  # each slot is claimed once: the next round catches up what this one missed
                    logger.warning("Database unreachable; scheduling periodic jobs again in %.0f s", self.interval)
                    drop_broken_connections()
            except Exception:  # keep scheduling whatever one round met
                logger.exception("Scheduling periodic jobs failed; retrying")
            finally:
                close_old_connections()
            time.sleep(self.interval)


class Command(DbWorkerCommand):
    help = "Run background tasks and the periodic job schedule."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Only run tasks; let other workers enqueue periodic jobs.",
        )
        parser.add_argument("--schedule-interval", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = options.pop("scheduler", True)
        schedule_interval = options.pop("schedule_interval", 30.0)
        # Under --reload the parent process only watches files; schedule in the child.
        in_reload_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if scheduler and not options.get("batch") and not in_reload_parent:
            Scheduler(schedule_interval).start()
        with outage_tolerant_worker():
            if options.get("batch") or in_reload_parent:  # a batch run is not a worker /readyz should count on
                super().handle(*args, **options)
                return
            heartbeat = Heartbeat()
            heartbeat.start()
            try:
                super().handle(*args, **options)
            finally:  # SIGTERM ends the loop with SystemExit: the worker leaves /readyz's count at once
                heartbeat.stop()


@contextmanager
def outage_tolerant_worker() -> Iterator[None]:
    """django-tasks-db's command builds its `Worker` by name: it builds ours (worker_loop) while
    this command runs, so the options and their handling stay the library's own."""
    library_worker = db_worker.Worker
    db_worker.Worker = OutageTolerantWorker  # type: ignore[misc]
    try:
        yield
    finally:
        db_worker.Worker = library_worker  # type: ignore[misc]
