"""When check-ins and staff temperatures are past their retention period, and the daily counts
per site and decision that stay after they are deleted (the deleting: screening/erasure.py).

Counts are recomputed from the records for every day that still has records (a scanner may
send yesterday's check-ins late), so a day's count is settled before its records go: records
live `RETENTION_CHECKINS_DAYS`, counts are written every day.
"""

from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from fugong.core.clock import local_time
from fugong.core.erasure import Period

from .models import CheckIn, DailyCount

CHECKINS = Period("checkins", "RETENTION_CHECKINS_DAYS")


def cutoff_of(now: datetime | None = None) -> datetime:
    """Records taken before this moment are past retention: the start of the local day
    `RETENTION_CHECKINS_DAYS` ago, so whole days go and a day is never half-kept."""
    return local_time(CHECKINS.before_day(now or timezone.now()), time(0))


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
