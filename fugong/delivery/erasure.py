"""Hand-over photos and drivers' mobiles on old plans as kinds of kept data (core.erasure)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.core import erasure

from .models import PlanDocument, PlanVehicle, RouteStop

PHOTOS = erasure.Period("handover_photos", "RETENTION_HANDOVER_PHOTOS_DAYS")


def _stops_with_old_photos(now: datetime) -> QuerySet[Any]:
    return RouteStop.objects.filter(completed_at__lt=PHOTOS.before(now)).exclude(photo="")


def _delete_photos(due: QuerySet[Any], limit: int) -> int:
    """The stop (what was handed over, when) stays; its photo goes. The files are deleted once
    the rows no longer name them, so a rolled-back chunk never points at a missing file."""
    stops = list(due.order_by("pk")[:limit])
    RouteStop.objects.filter(pk__in=[stop.pk for stop in stops]).update(photo="")
    photos = [stop.photo for stop in stops]
    transaction.on_commit(lambda: [photo.storage.delete(photo.name) for photo in photos])
    return len(stops)


def _old_plans_driver_mobiles(now: datetime) -> QuerySet[Any]:
    return PlanVehicle.objects.filter(plan__day__lt=timezone.localdate(PHOTOS.before(now))).exclude(driver_mobile="")


def _clear_driver_mobiles(due: QuerySet[Any], limit: int) -> int:
    """The mobiles go, and with them the plans' kept PDFs, which print them (made afresh, without
    the numbers, if someone prints again)."""
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    PlanDocument.objects.filter(plan__fleet__in=ids).delete()
    return PlanVehicle.objects.filter(pk__in=ids).update(driver_mobile="")


erasure.register(
    erasure.Kind(
        code="delivery.handover_photos",
        label=_("hand-over photos"),
        holds=_("faces and shop fronts on the photo taken at a contactless hand-over"),
        kept=PHOTOS,
        counted_from=_("the hand-over"),
        action=erasure.Action.ANONYMISE,
        models=("delivery.routestop",),
        due=_stops_with_old_photos,
        erase=_delete_photos,
    ),
    erasure.Kind(
        code="delivery.driver_mobiles",
        label=_("drivers' mobiles on delivery plans"),
        holds=_("the mobile of each plan's driver, a volunteer's among them"),
        kept=PHOTOS,
        counted_from=_("the plan's day"),
        action=erasure.Action.ANONYMISE,
        models=("delivery.planvehicle", "delivery.plandocument"),
        due=_old_plans_driver_mobiles,
        erase=_clear_driver_mobiles,
    ),
)
