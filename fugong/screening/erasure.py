"""Check-ins and staff temperatures as kinds of kept data (core.erasure): deleted whole days at
a time after `RETENTION_CHECKINS_DAYS`; the daily counts per site and decision stay."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.core import erasure

from .models import CheckIn, StaffTemperature
from .retention import CHECKINS, count_days, cutoff_of


def _checkins(now: datetime) -> QuerySet[Any]:
    return CheckIn.objects.filter(at__lt=cutoff_of(now))


def _staff_temperatures(now: datetime) -> QuerySet[Any]:
    return StaffTemperature.objects.filter(taken_at__lt=cutoff_of(now))


erasure.register(
    erasure.Kind(
        code="screening.checkins",
        label=_("check-ins at the door"),
        holds=_("name, mobile, ID number, temperature and health-code, itinerary and test results"),
        kept=CHECKINS,
        counted_from=_("the day of the check-in"),
        action=erasure.Action.DELETE,
        models=("screening.checkin",),
        due=_checkins,
        # A day's count is settled from its records before any of them go.
        prepare=lambda now: count_days(),
    ),
    erasure.Kind(
        code="screening.staff_temperatures",
        label=_("staff temperatures"),
        holds=_("a staff member's own temperature, twice a day"),
        kept=CHECKINS,
        counted_from=_("the day it was taken"),
        action=erasure.Action.DELETE,
        models=("screening.stafftemperature",),
        due=_staff_temperatures,
    ),
)
