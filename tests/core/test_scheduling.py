from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from fugong.accounts.models import AuditEntry
from fugong.accounts.tasks import erase_due_personal_data
from fugong.core import erasure
from fugong.core.models import IdempotencyKey, PeriodicRun
from fugong.core.scheduling import Periodic, enqueue_due
from fugong.site.schedule import PERIODIC_JOBS

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_daily_slot_is_in_local_time() -> None:
    job = Periodic("x", erase_due_personal_data, daily_at=time(3, 0))
    before = datetime(2026, 11, 22, 2, 59, tzinfo=SHANGHAI)
    after = datetime(2026, 11, 22, 3, 1, tzinfo=SHANGHAI)
    assert job.latest_slot(before) == datetime(2026, 11, 21, 3, 0, tzinfo=SHANGHAI)
    assert job.latest_slot(after) == datetime(2026, 11, 22, 3, 0, tzinfo=SHANGHAI)


def test_interval_slots_align_to_midnight() -> None:
    job = Periodic("x", erase_due_personal_data, every=timedelta(minutes=15))
    now = datetime(2026, 11, 22, 10, 44, tzinfo=SHANGHAI)
    assert job.latest_slot(now) == datetime(2026, 11, 22, 10, 30, tzinfo=SHANGHAI)


def test_a_periodic_job_needs_exactly_one_rule() -> None:
    with pytest.raises(ValueError):
        Periodic("x", erase_due_personal_data)


@pytest.mark.django_db
def test_each_slot_is_enqueued_once_however_many_workers_ask() -> None:
    jobs = [Periodic("purge", erase_due_personal_data, daily_at=time(3, 0))]
    now = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)
    assert enqueue_due(jobs, now) == ["purge"]
    assert enqueue_due(jobs, now) == []  # a second worker, same slot
    assert enqueue_due(jobs, now + timedelta(days=1)) == ["purge"]  # next day's slot
    assert PeriodicRun.objects.filter(name="purge").count() == 2


@pytest.mark.django_db
def test_worker_runs_the_declared_daily_purges(run_tasks: Any) -> None:
    with time_machine.travel(datetime(2026, 11, 1, 12, 0, tzinfo=SHANGHAI)):
        IdempotencyKey.objects.create(scope="user:1", key="old", fingerprint="x")
        AuditEntry.objects.create(
            actor_label="t", action="x", object_type="t", object_id="1", object_repr="t", source="test"
        )
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=SHANGHAI)):
        IdempotencyKey.objects.create(scope="user:1", key="fresh", fingerprint="x")
        started = enqueue_due(PERIODIC_JOBS, timezone.now())
        assert set(started) == {j.name for j in PERIODIC_JOBS}
        run_tasks()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    # audit entries are kept for years, not three weeks
    assert AuditEntry.objects.filter(action="x").exists()


@pytest.mark.django_db
def test_schedule_claims_outlive_a_short_job_retention(settings: Any) -> None:
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "jobs": 0}
    jobs = [Periodic("purge", erase_due_personal_data, daily_at=time(3, 0))]
    assert enqueue_due(jobs) == ["purge"]
    erasure.erase(erasure.get("core.schedule_claims"), timezone.now())
    assert enqueue_due(jobs) == []  # today's slot is still claimed
