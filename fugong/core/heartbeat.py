"""A worker's heartbeat: a row it refreshes while it runs, which /readyz reads.

The worker (fugong/site/management/commands/worker.py) starts a Heartbeat thread and stops it
on its way out: a clean stop deletes the row at once, so /readyz turns unready the moment the
last worker leaves, not a minute later. A killed worker's row simply stops being refreshed;
/readyz ignores it once it is older than READY_WORKER_SECONDS, and the next live worker deletes it
when it is ten times that old.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import WorkerHeartbeat
from .outage import drop_broken_connections, is_outage

logger = logging.getLogger("fugong.worker")

# How often a worker says it is alive: well inside the window /readyz allows.
MOST_SECONDS_BETWEEN_BEATS = 15.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat_interval() -> float:
    return min(MOST_SECONDS_BETWEEN_BEATS, settings.READY_WORKER_SILENCE.total_seconds() / 4)


@transaction.atomic
def beat(name: str, started_at: datetime) -> None:
    """Say `name` is alive now, and forget workers that have been silent far too long."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": now}, create_defaults={"started_at": started_at, "last_seen": now}
    )
    forgotten = now - 10 * settings.READY_WORKER_SILENCE
    WorkerHeartbeat.objects.filter(last_seen__lt=forgotten).delete()


@dataclass(frozen=True)
class Heard:
    alive: int  # workers heard from within READY_WORKER_SECONDS
    last_seen: datetime | None  # the freshest heartbeat, however old


def heard_from(now: datetime) -> Heard:
    since = now - settings.READY_WORKER_SILENCE
    found = WorkerHeartbeat.objects.aggregate(alive=Count("pk", filter=Q(last_seen__gte=since)), last=Max("last_seen"))
    return Heard(found["alive"], found["last"])


class Heartbeat(threading.Thread):
    """Beats every few seconds until stopped; a database blip skips a beat, it does not end them."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name="fugong-heartbeat", daemon=True)
        self.worker = name or worker_name()
        self.started_at = timezone.now()
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                close_old_connections()
                beat(self.worker, self.started_at)
            except DatabaseError as error:
                if not is_outage(error):
                    logger.exception("Worker heartbeat failed; trying again")
                else:  # the worker waits the outage out too: a warning, not a traceback a beat
                    logger.warning("Database unreachable; worker heartbeat skipped")
                    drop_broken_connections()
            except Exception:
                logger.exception("Worker heartbeat failed; trying again")
            finally:
                close_old_connections()
            self._stopping.wait(beat_interval())

    def stop(self) -> None:
        """Stop beating and remove this worker's row (from the stopping thread: the daemon may be mid-beat)."""
        self._stopping.set()
        self.join(timeout=5)
        try:
            WorkerHeartbeat.objects.filter(name=self.worker).delete()
        except Exception:  # the database is gone too: the row goes stale instead
            logger.exception("Could not remove the worker's heartbeat")
