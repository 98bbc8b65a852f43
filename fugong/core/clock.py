"""Local (Asia/Shanghai) moments from a day and a time of day, in one place."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def local_time(day: date, at: time) -> datetime:
    """That day's time of day in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, at))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as [start, next day's start)."""
    start = local_time(day, time(0))
    return start, local_time(day + timedelta(days=1), time(0))
