"""On the doorstep: the driver marks arrival, photographs the hand-over, records what the shop
confirmed per line, and any shortfall or refusal with its reason. Requests come from phones
that resend (see `core.idempotency`); each function also refuses to record a stop twice."""

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from fugong.core.storage import discard, keep_upload
from fugong.core.transactions import durable

from ..models import HandedOver, Order, OrderStatus, Route, RouteStop, StopOutcome
from ..queries import held_stop_ids
from .dispatch import tell_next_shops

MAX_PHOTO_BYTES = 8 * 1024 * 1024


def before_the_day(route: Route) -> bool:
    """A route opened before its plan's day: it can be read, not recorded (a driver testing
    the link the evening before would otherwise start it and text shops a day early). After
    the day it still records, so what a phone kept offline overnight is not lost."""
    return timezone.localdate() < route.plan.day


def _stop_of(route: Route, stop_id: int) -> RouteStop:
    if before_the_day(route):
        raise ValidationError(
            _("This route is for %(day)s: deliveries are recorded from that day.")
            % {"day": route.plan.day.strftime("%m-%d")}
        )
    stop = route.stops.select_for_update().filter(pk=stop_id, is_reload=False).first()
    if stop is None:
        raise ValidationError(_("This stop is not on your route."))
    if stop.completed_at is None and stop.pk in held_stop_ids(route.plan):
        raise ValidationError(_("This shop's area is closed: the delivery waits until it reopens."))
    return stop


def _start(route: Route) -> None:
    """The first thing a driver records starts the route: its orders are out for delivery."""
    if route.started_at is not None:
        return
    route.started_at = timezone.now()
    route.save(update_fields=["started_at"])
    Order.objects.filter(stops__route=route, status=OrderStatus.PLANNED).update(status=OrderStatus.OUT)


@durable
def arrive(route: Route, stop_id: int) -> RouteStop:
    stop = _stop_of(route, stop_id)
    _start(route)
    if stop.arrived_at is None:
        stop.arrived_at = timezone.now()
        stop.save(update_fields=["arrived_at"])
    tell_next_shops(route)
    return stop


def _check_photo(photo: UploadedFile | None, required: bool) -> None:
    if photo is None:
        if required:
            raise ValidationError({"photo": _("Take the hand-over photo first.")})
        return
    if (photo.size or 0) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 8 MB.")})
    try:
        with Image.open(photo) as image:
            image.verify()
    except (UnidentifiedImageError, OSError):
        raise ValidationError({"photo": _("The photo is not a picture file.")}) from None
    photo.seek(0)


@durable
def hand_over(
    route: Route,
    stop_id: int,
    *,
    quantities: dict[int, int],
    refused: bool = False,
    reason: str = "",
    photo: UploadedFile | None = None,
    by: str = "",
) -> RouteStop:
    """Record what the shop (or network point, for a trunk run) took. `quantities` maps each
    order line on the stop to the cartons handed over; a trunk stop gives {0: cartons}."""
    stop = _stop_of(route, stop_id)
    if stop.completed_at is not None:
        raise ValidationError(_("This stop is already recorded."))
    # An order split over several stops (maybe on other routes): one hand-over at a time, so
    # the cartons left on each line and the order's final state are counted once.
    list(Order.objects.select_for_update(of=("self",)).filter(stops=stop).order_by("pk"))
    reason = reason.strip()
    if refused and not reason:
        raise ValidationError({"reason": _("Say why the shop refused the goods.")})
    _check_photo(photo, required=not refused and stop.shop_id is not None)
    handed = 0 if refused else _record_lines(stop, quantities)
    if handed > stop.cartons:
        raise ValidationError({"quantities": _("More cartons than the stop carries (%(n)d).") % {"n": stop.cartons}})
    if not refused and handed < stop.cartons and not reason:
        raise ValidationError({"reason": _("%(short)d cartons short: say why.") % {"short": stop.cartons - handed}})
    _start(route)
    now = timezone.now()
    stop.arrived_at = stop.arrived_at or now
    stop.outcome = (
        StopOutcome.REFUSED if refused else (StopOutcome.SHORT if handed < stop.cartons else StopOutcome.DELIVERED)
    )
    stop.reason, stop.completed_at, stop.completed_by = reason[:200], now, by[:40]
    if photo is not None:
        name = photo.name or "handover.jpg"
        stop.photo = keep_upload(  # the field's descriptor takes the stored name
            photo,
            stop.photo.field.generate_filename(stop, name),
            field="photo",
            filename=name,
            storage=stop.photo.storage,
            max_length=stop.photo.field.max_length,
        )
    try:
        stop.save()
        _settle_orders(stop)
        tell_next_shops(route)
    except BaseException:
        if photo is not None and stop.photo.name:
            discard(stop.photo.storage, stop.photo.name)  # the transaction rolls back: no row keeps it
        raise
    return stop


def _record_lines(stop: RouteStop, quantities: dict[int, int]) -> int:
    if stop.shop_id is None:  # a network point takes the trunk's cartons as one count
        return max(0, int(quantities.get(0, stop.cartons)))
    lines = {line.pk: line for order in stop.orders.all() for line in order.lines.all()}
    already = dict(
        HandedOver.objects.filter(line__in=lines.values())
        .values_list("line")
        .annotate(n=Sum("quantity"))
        .values_list("line", "n")
    )
    rows, total = [], 0
    for line_id, line in lines.items():
        if line_id not in quantities:
            raise ValidationError({"quantities": _("How many cartons of %(brand)s?") % {"brand": line.brand}})
        quantity = quantities[line_id]
        room = line.quantity - already.get(line_id, 0)
        if not 0 <= quantity <= room:
            raise ValidationError(
                {"quantities": _("%(brand)s: between 0 and %(n)d cartons.") % {"brand": line.brand, "n": room}}
            )
        rows.append(HandedOver(stop=stop, line=line, quantity=quantity))
        total += quantity
    unknown = set(quantities) - set(lines)
    if unknown:
        raise ValidationError({"quantities": _("Some lines are not on this stop's orders.")})
    HandedOver.objects.bulk_create(rows)
    return total


def _settle_orders(stop: RouteStop) -> None:
    """An order is finished when every stop carrying it is recorded."""
    for order in stop.orders.all():
        stops = list(order.stops.filter(route__plan=stop.route.plan))
        if any(s.completed_at is None for s in stops):
            continue
        if all(s.outcome == StopOutcome.REFUSED for s in stops):
            order.status = OrderStatus.REFUSED
        else:
            handed: dict[int, int] = defaultdict(int)
            for row in HandedOver.objects.filter(line__order=order):
                handed[row.line_id] += row.quantity
            full = all(handed[line.pk] == line.quantity for line in order.lines.all())
            order.status = OrderStatus.DELIVERED if full else OrderStatus.SHORT
        order.held_since = None
        order.save(update_fields=["status", "held_since"])


def progress_of(route: Route) -> dict[str, Any]:
    stops = route.stops.filter(is_reload=False)
    return {"stops": stops.count(), "done": stops.filter(completed_at__isnull=False).count()}
