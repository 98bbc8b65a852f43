"""Priority-line residents as a kind of kept data (core.erasure): a while after a registration
ends, the person's details go; their calls, home visits and revisits stay, anonymous."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.core import erasure
from fugong.core.erasure import ERASED_NAME

from .models import Resident

RESIDENTS = erasure.Period("priority_residents", "RETENTION_PRIORITY_RESIDENTS_DAYS")


def _ended_registrations(now: datetime) -> QuerySet[Any]:
    return Resident.objects.filter(erased=False, ended_on__lt=RESIDENTS.before_day(now))


erasure.register(
    erasure.Kind(
        code="power.priority_residents",
        label=_("priority-line residents whose registration ended"),
        holds=_("name, phone, address, the contact's name and phone, notes"),
        kept=RESIDENTS,
        counted_from=_("the registration ended"),
        action=erasure.Action.ANONYMISE,
        models=("power.resident",),
        due=_ended_registrations,
        erase=erasure.clear_fields(
            name=ERASED_NAME,
            phone="",
            address="",
            contact_name="",
            contact_phone="",
            note="",
            account=None,
            erased=True,
        ),
    )
)
