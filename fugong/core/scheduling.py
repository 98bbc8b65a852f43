"""Periodic jobs: when each is due, and claiming a due slot exactly once across workers.

What runs when is declared in `fugong/site/schedule.py`; this module only does the clock work.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from .models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A task run every day at a local time, or every `every` (aligned to midnight)."""

    name: str
    task: Task
    daily_at: time | None = None
    every: timedelta | None = None

    def __post_init__(self) -> None:
        if (self.daily_at is None) == (self.every is None):
            raise ValueError(f"{self.name}: give exactly one of daily_at or every")

    def latest_slot(self, now: datetime) -> datetime:
        """The most recent scheduled time at or before `now` (local time zone)."""
        local = timezone.localtime(now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.daily_at is not None:
            slot = midnight.replace(hour=self.daily_at.hour, minute=self.daily_at.minute)
            return slot if slot <= local else slot - timedelta(days=1)
        assert self.every is not None
        periods = (local - midnight) // self.every
        return midnight + periods * self.every


def enqueue_due(jobs: Sequence[Periodic], now: datetime | None = None) -> list[str]:
    """Enqueue every job whose latest slot has not been claimed yet; returns their names.

    A worker that was down catches up with one run, not one per missed slot.
    """
    now = now or timezone.now()
    started = []
    for job in jobs:
        slot = job.latest_slot(now)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker claimed this slot
        logger.info("Enqueued periodic job %s for %s", job.name, slot.isoformat())
        started.append(job.name)
    return started
