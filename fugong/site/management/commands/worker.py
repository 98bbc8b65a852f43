"""`fugong worker`: runs background tasks and enqueues periodic jobs when they are due.

Run one or more on any host that reaches the database; each claims tasks with a locked
UPDATE and each periodic slot is claimed once, so adding workers is safe.
"""

import logging
import os
import threading
import time
from typing import Any

from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from fugong.core.heartbeat import Heartbeat
from fugong.core.scheduling import enqueue_due

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
            except Exception:  # keep scheduling through a database blip
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
        if options.get("batch") or in_reload_parent:  # a batch run is not a worker /readyz should count on
            super().handle(*args, **options)
            return
        heartbeat = Heartbeat()
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:  # SIGTERM ends the loop with SystemExit: the worker leaves /readyz's count at once
            heartbeat.stop()
