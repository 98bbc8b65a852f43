"""Publishing a plan and keeping shops and drivers told: each driver gets a link to their
route, each shop its expected time when the plan is published and again when the driver is
two stops away. Messages go through the bureau's channel that has the template."""

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core import links
from fugong.core.clock import local_time
from fugong.core.transactions import durable
from fugong.directory.models import Region, ZoneStatus
from fugong.notify import kinds
from fugong.notify import services as notify
from fugong.notify.models import Channel
from fugong.routing.findings import clock

from ..access import may_plan
from ..models import DeliveryPlan, Echelon, Order, OrderStatus, PlanStatus, Route, RouteStop
from ..queries import q_in_closed_area
from . import printing
from .orders import update_holds

SHOP_PUBLISHED = kinds.register("order_dispatched", gettext_lazy("Order on its way"))
SHOP_NEAR = kinds.register("order_near", gettext_lazy("Driver two stops away"))
DRIVER_ROUTE = kinds.register("delivery_route", gettext_lazy("Driver's route"))
MANAGER_HELD = kinds.register("plan_stops_held", gettext_lazy("Stops held in a closed area"))
NEAR_STOPS = 2  # a shop hears from us when the driver is this many stops away
LINK_DAYS = timedelta(days=1)  # a route link works on its day and the next (a late evening)


def route_token(route: Route) -> str:
    """The same link every time it is shown (QR, message) until it is renewed."""
    return links.make_token("route", route.pk, route.link_version)


def route_link(route: Route) -> str:
    return links.absolute("delivery:run", route_token(route))


def read_route_token(token: str) -> Route:
    """The route a driver's link was made for; PermissionDenied if forged, renewed or the plan
    is no longer published."""
    try:
        route_id, version = links.read_token("route", token, 2)
        route = Route.objects.select_related("plan__organisation", "vehicle__hub").get(pk=route_id)
    except (links.BadLink, Route.DoesNotExist):
        raise PermissionDenied(_("This link is not valid.")) from None
    if (
        version != route.link_version
        or route.plan.status != PlanStatus.PUBLISHED
        or timezone.localdate() > route.plan.day + LINK_DAYS
    ):
        raise PermissionDenied(_("This link is no longer valid. Ask the network point for a new one."))
    return route


@durable
def renew_route_link(actor: User | None, route: Route) -> Route:
    if not may_plan(actor, route.plan.organisation):
        raise PermissionDenied
    Route.objects.filter(pk=route.pk).update(link_version=F("link_version") + 1)
    route.refresh_from_db(fields=["link_version"])
    audit.record(actor, "route.link_renewed", route, organisation_id=route.plan.organisation_id)
    return route


def local_moment(plan: DeliveryPlan, seconds: int) -> datetime:
    """A plan time (seconds after midnight of its day) as an aware datetime."""
    return local_time(plan.day, time.min) + timedelta(seconds=seconds)


def expected_arrival(stop: RouteStop) -> datetime:
    """The plan's time, pushed back by how late the route is running (never pulled earlier:
    shops should not be told to wait at the door sooner than promised)."""
    route = stop.route
    planned = local_moment(route.plan, stop.arrives_at)
    last = route.stops.filter(completed_at__isnull=False).order_by("-position").first()
    if last is None or last.position >= stop.position:
        return planned
    assert last.completed_at is not None
    delay = last.completed_at - local_moment(route.plan, last.departs_at)
    return planned + max(delay, timedelta(0))


def channel_for(plan: DeliveryPlan, kind: str) -> Channel | None:
    return (
        Channel.objects.filter(organisation=plan.organisation, is_active=True, templates__kind=kind)
        .order_by("pk")
        .first()
    )


@durable
def publish_plan(actor: User | None, plan: DeliveryPlan) -> dict[str, Any]:
    """Make the plan the day's work: planned orders, route links to drivers, times to shops."""
    if not may_plan(actor, plan.organisation):
        raise PermissionDenied
    plan = DeliveryPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.READY:
        raise ValidationError(_("Only a planned plan that is not yet published can be published."))
    problems = [p for route in plan.routes.all() for p in route.problems]
    if problems:
        raise ValidationError(_("Some routes break a rule (see the warnings); fix them before publishing."))
    on_routes = Order.objects.filter(stops__route__plan=plan).values("pk")  # (PostgreSQL locks no DISTINCT rows)
    planned = list(Order.objects.select_for_update().filter(pk__in=on_routes).order_by("pk"))
    changed = [o for o in planned if o.status != OrderStatus.PLACED]
    if changed:
        raise ValidationError(
            _("%(n)d orders were held or planned elsewhere since this plan was made (%(first)s, …): plan it again.")
            % {"n": len(changed), "first": changed[0].number}
        )
    plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
    plan.save(update_fields=["status", "published_at"])
    planned_count = Order.objects.filter(pk__in=[o.pk for o in planned]).update(status=OrderStatus.PLANNED)
    sent = {"shops": _tell_shops(actor, plan), "drivers": _send_route_links(actor, plan)}
    printing.print_later([plan.pk])
    audit.record(
        actor, "plan.publish", plan, changes={"orders": [0, planned_count]}, organisation_id=plan.organisation_id
    )
    return {"orders": planned_count, **sent}


def _tell_shops(actor: User | None, plan: DeliveryPlan) -> int:
    channel = channel_for(plan, SHOP_PUBLISHED)
    if channel is None:
        return 0
    stops = RouteStop.objects.filter(route__plan=plan, route__echelon=Echelon.LAST_MILE, shop__isnull=False)
    values: dict[str, dict[str, Any]] = {}
    for stop in stops.select_related("shop", "route__plan").order_by("arrives_at"):
        values.setdefault(stop.shop.mobile, {"shop": stop.shop.name, "eta": clock(stop.arrives_at)})  # type: ignore[union-attr]
    if not values:
        return 0
    return notify.enqueue(actor, channel, SHOP_PUBLISHED, list(values), per_recipient=values)


def _send_route_links(actor: User | None, plan: DeliveryPlan) -> int:
    channel = channel_for(plan, DRIVER_ROUTE)
    if channel is None:
        return 0
    values = {
        route.vehicle.driver_mobile: {
            "name": route.vehicle.driver_name,
            "route": route.number,
            "stops": route.stops.filter(is_reload=False).count(),
            "start": clock(route.starts_at),
            "link": route_link(route),
        }
        for route in plan.routes.select_related("vehicle")
        if route.vehicle.driver_mobile
    }
    if not values:
        return 0
    return notify.enqueue(actor, channel, DRIVER_ROUTE, list(values), per_recipient=values)


@durable
def close_plan(actor: User | None, plan: DeliveryPlan) -> dict[str, int]:
    """End of the day: the links stop working and orders not handed over go back to the
    backlog (held again if their area closed meanwhile), to be planned another day."""
    if not may_plan(actor, plan.organisation):
        raise PermissionDenied
    plan = DeliveryPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(_("Only a published plan can be closed."))
    unfinished = Order.objects.filter(
        stops__route__plan=plan, status__in=[OrderStatus.PLANNED, OrderStatus.OUT]
    ).distinct()
    returned = Order.objects.filter(pk__in=list(unfinished.values_list("pk", flat=True))).update(
        status=OrderStatus.PLACED
    )
    update_holds()
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status"])
    plan.documents.all().delete()  # the day is over: printing again makes the paper afresh
    audit.record(
        actor, "plan.close", plan, changes={"orders_returned": [0, returned]}, organisation_id=plan.organisation_id
    )
    return {"returned": returned}


def tell_next_shops(route: Route) -> int:
    """The shops of the next NEAR_STOPS deliveries after where the driver is (not those already
    reached) get their 'two stops away', once."""
    pending = list(
        route.stops.filter(is_reload=False, completed_at__isnull=True, arrived_at__isnull=True, shop__isnull=False)
        .select_related("shop", "route__plan")
        .order_by("position")[:NEAR_STOPS]
    )
    due = [s for s in pending if not s.near_notice_sent]
    if not due:
        return 0
    RouteStop.objects.filter(pk__in=[s.pk for s in due]).update(near_notice_sent=True)
    channel = channel_for(route.plan, SHOP_NEAR)
    if channel is None:
        return 0
    values = {
        s.shop.mobile: {"shop": s.shop.name, "eta": timezone.localtime(expected_arrival(s)).strftime("%H:%M")}  # type: ignore[union-attr]
        for s in due
    }
    return notify.enqueue(None, channel, SHOP_NEAR, list(values), per_recipient=values)


def on_zone_closed(sender: Any, region: Region, status: str, **kwargs: Any) -> None:
    """An area closed: the manager of every published plan of today or later with stops
    there hears how many are held (the drivers' pages hold them already)."""
    if status != ZoneStatus.CLOSED:
        return
    stops = RouteStop.objects.filter(
        q_in_closed_area([region.prefix]),
        route__plan__status=PlanStatus.PUBLISHED,
        route__plan__day__gte=timezone.localdate(),
        completed_at__isnull=True,
        is_reload=False,
    )
    held = dict(stops.values_list("route__plan").annotate(n=Count("pk")))  # plan id -> stops held there
    for plan in DeliveryPlan.objects.filter(pk__in=held).select_related("created_by"):
        manager, channel = plan.created_by, channel_for(plan, MANAGER_HELD)
        if manager is not None and manager.mobile and channel is not None:
            values = {"area": region.name, "day": f"{plan.day:%m-%d}", "n": held[plan.pk]}
            notify.enqueue(None, channel, MANAGER_HELD, [manager.mobile], values)
