"""Deleting check-ins and staff temperatures when their retention period ends, keeping the
daily counts per site and decision.

Counts are recomputed from the records for every day that still has records (a scanner may
send yesterday's check-ins late), so a day's count is settled before its records go: records
live `RETENTION_CHECKINS_DAYS`, counts are written every day.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from fugong.accounts import audit
from fugong.core.clock import local_time

from .models import CheckIn, DailyCount, StaffTemperature

CHUNK = 2000


def cutoff_of(now: datetime | None = None) -> datetime:
    """Records taken before this moment are past retention: the start of the local day
    `RETENTION_CHECKINS_DAYS` ago, so whole days go and a day is never half-kept."""
    now = now or timezone.now()
    first_kept = timezone.localdate(now) - timedelta(days=settings.RETENTION_DAYS["checkins"])
    return local_time(first_kept, time(0))


@transaction.atomic
def count_days() -> int:
    """Write the per-site, per-day, per-decision counts from the records, for every day that
    has records. Returns the number of count rows written."""
    rows: Any = (
        CheckIn.objects.annotate(day=TruncDate("at"))
        .values("venue_id", "day", "final_decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted = [
        DailyCount(venue_id=r["venue_id"], day=r["day"], decision=r["final_decision"], count=r["n"]) for r in rows
    ]
    DailyCount.objects.filter(day__in={c.day for c in counted}).delete()
    DailyCount.objects.bulk_create(counted, batch_size=1000)
    return len(counted)


def _delete_in_chunks(qs: QuerySet[Any]) -> int:
    """Short transactions, so the door keeps checking people in while old records go."""
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(qs.values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return deleted
            deleted += qs.model.objects.filter(pk__in=ids).delete()[0]


def purge_expired(now: datetime | None = None) -> dict[str, Any]:
    """Count, then delete check-ins and staff temperatures older than the retention period."""
    cutoff = cutoff_of(now)
    counted = count_days()
    checkins = _delete_in_chunks(CheckIn.objects.filter(at__lt=cutoff))
    temperatures = _delete_in_chunks(StaffTemperature.objects.filter(taken_at__lt=cutoff))
    changes = {"checkins_deleted": checkins, "staff_temperatures_deleted": temperatures, "count_rows": counted}
    # One entry for the whole run: how many were deleted, never whose.
    audit.record_about(None, "screening.purged", "screening.checkin", "", f"< {cutoff:%Y-%m-%d %H:%M}", changes=changes)
    return {"cutoff": cutoff.isoformat(), **changes}
