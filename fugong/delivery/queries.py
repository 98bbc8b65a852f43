"""Read side of delivery, shared by pages and the API, scoped to the bureaus a user runs."""

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from fugong.directory.models import Organisation, Region, Site, ZoneStatus
from fugong.volunteers.queries import FleetVehicle, fleet_for_day

from .access import q_planned_organisations
from .models import (
    LIVE_PLAN_STATUSES,
    OPEN_ORDER_STATUSES,
    SENT_OUT_PLAN_STATUSES,
    DeliveryPlan,
    Echelon,
    Order,
    OrderStatus,
    PlanStatus,
    PlanVehicle,
    Route,
    RouteStop,
    Shop,
)

BACKLOG_FIGURES = ("shops", "orders", "cartons", "held_orders", "held_cartons")


def closed_prefixes() -> list[str]:
    """Code prefixes of every region now closed: everything inside one is closed too."""
    return [r.prefix for r in Region.objects.filter(zone_status=ZoneStatus.CLOSED)]


def q_in_closed_area(prefixes: list[str]) -> Q:
    """Orders or stops whose shop lies in one of the closed areas."""
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(shop__region__code__startswith=prefix)
    return q


def held_stop_ids(plan: DeliveryPlan) -> set[int]:
    """The stops not yet recorded whose shop lies in an area closed now. A sent-out plan keeps
    them, held: the driver's page shows them as held and does not record them, and they go
    ahead by themselves when the area reopens."""
    prefixes = closed_prefixes()
    if not prefixes:
        return set()
    stops = RouteStop.objects.filter(route__plan=plan, completed_at__isnull=True, is_reload=False)
    return set(stops.filter(q_in_closed_area(prefixes)).values_list("pk", flat=True))


def points_in_live_plans(day: date, points: Iterable[Site]) -> QuerySet[Site]:
    """Which of these network points a live plan of the day already holds: a network point is
    in one live plan a day at most (several plans a day, each for its own network points)."""
    live = DeliveryPlan.objects.filter(day=day, status__in=LIVE_PLAN_STATUSES)
    taken = DeliveryPlan.network_points.through.objects.filter(deliveryplan__in=live).values("site")
    return Site.objects.filter(pk__in=taken).filter(pk__in=[p.pk for p in points])


def planned_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        q_planned_organisations(user), kind=Organisation.Kind.TOBACCO_BUREAU
    ).select_related("region")


def visible_shops(user: Any) -> QuerySet[Shop]:
    return Shop.objects.filter(organisation__in=planned_organisations(user)).select_related(
        "network_point", "region", "account_manager"
    )


def visible_orders(user: Any) -> QuerySet[Order]:
    return Order.objects.filter(organisation__in=planned_organisations(user)).select_related("shop")


def visible_plans(user: Any) -> QuerySet[DeliveryPlan]:
    return DeliveryPlan.objects.filter(organisation__in=planned_organisations(user)).select_related(
        "organisation", "depot", "job"
    )


def backlog_by_town(organisation: Organisation) -> list[dict[str, Any]]:
    """Orders not yet delivered, per network point and town: what a market manager looks at first."""
    held = Q(status=OrderStatus.HELD)
    rows: Any = (
        Order.objects.filter(organisation=organisation, status__in=OPEN_ORDER_STATUSES)
        .values("shop__network_point_id", "shop__network_point__name", "shop__region__name", "shop__region__code")
        .annotate(
            shops=Count("shop", distinct=True),
            orders=Count("pk"),
            total_cartons=Sum("cartons"),
            held_orders=Count("pk", filter=held),
            held_cartons=Sum("cartons", filter=held),
        )
        .order_by("shop__network_point__name", "shop__region__code")
    )
    return [{**row, "cartons": row.pop("total_cartons") or 0} for row in rows]


def backlog_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The sums of backlog_by_town's rows (all of them, or one network point's)."""
    return {k: sum(r[k] or 0 for r in rows) for k in BACKLOG_FIGURES}


def backlog_by_region(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """backlog_by_town's rows added up per town (a town served from two network points is one
    row), the most orders first."""
    towns: dict[str, dict[str, Any]] = {}
    for row in rows:
        town = towns.setdefault(
            row["shop__region__code"], {"name": row["shop__region__name"], **dict.fromkeys(BACKLOG_FIGURES, 0)}
        )
        for k in BACKLOG_FIGURES:
            town[k] += row[k] or 0
    return sorted(towns.values(), key=lambda town: (-town["orders"], town["name"]))


def plans_from(organisation: Organisation, day: date) -> QuerySet[DeliveryPlan]:
    """The bureau's plans of this day and later, not cancelled, the soonest first."""
    return (
        DeliveryPlan.objects.filter(organisation=organisation, day__gte=day)
        .exclude(status=PlanStatus.CANCELLED)
        .order_by("day", "pk")
    )


def offers_awaiting(organisation: Organisation, day: date) -> list[FleetVehicle]:
    """Vehicles the bureau's mutual-aid teams lend on a day that its plan of the day has not
    taken (no plan yet, or one still open to changes); once a plan is published, those it
    left are not waiting any more."""
    plan = plans_from(organisation, day).filter(day=day).first()
    if plan is not None and plan.status in SENT_OUT_PLAN_STATUSES:
        return []
    vehicles, _drivers = fleet_for_day(day, organisation_ids=[organisation.pk])
    taken = set(PlanVehicle.objects.filter(plan=plan).values_list("offer_id", flat=True)) if plan else set()
    return [vehicle for vehicle in vehicles if vehicle.offer_id not in taken]


def route_progress(plan: DeliveryPlan, hubs: Collection[int] | None = None) -> list[dict[str, Any]]:
    """Per route: stops done of all, cartons handed over, shortfalls and refusals (the office's
    live view); only the routes from these network points, if given."""
    routes = plan.routes.all() if hubs is None else plan.routes.filter(vehicle__hub_id__in=hubs)
    rows = []
    for route in routes.select_related("vehicle__hub").annotate(
        stop_count=Count("stops", filter=Q(stops__is_reload=False)),
        done=Count("stops", filter=Q(stops__is_reload=False, stops__completed_at__isnull=False)),
        short=Count("stops", filter=Q(stops__outcome="short")),
        refused=Count("stops", filter=Q(stops__outcome="refused")),
    ):
        rows.append(
            {
                "route": route,
                "stops": route.stop_count,
                "done": route.done,
                "short": route.short,
                "refused": route.refused,
            }
        )
    return rows


def routes_with_stops(plan: DeliveryPlan) -> list[Route]:
    """A plan's routes with their stops, shops and order lines in a handful of queries."""
    stops = RouteStop.objects.select_related("shop", "site").prefetch_related("orders__lines").order_by("position")
    return list(
        plan.routes.select_related("vehicle__hub")
        .prefetch_related(Prefetch("stops", queryset=stops))
        .order_by("number")
    )


def route_rows(routes: list[Route]) -> list[dict[str, Any]]:
    """Per route of `routes_with_stops`: when it starts and is back, hours, stops, cartons, km."""
    rows = []
    for route in routes:
        deliveries = [s for s in route.stops.all() if not s.is_reload]
        rows.append(
            {
                "route": route,
                "hours": round((route.ends_at - route.starts_at) / 3600, 1),
                "stops": len(deliveries),
                "cartons": sum(s.cartons for s in deliveries),
                "km": round(route.distance_m / 1000, 1),
            }
        )
    return rows


def day_figures(routes: list[Route]) -> dict[str, int | None]:
    """The plan's last delivery to a shop and last return (seconds after midnight)."""
    arrivals = [s.arrives_at for r in routes if r.echelon == Echelon.LAST_MILE for s in r.stops.all() if s.shop_id]
    return {
        "last_delivery": max(arrivals, default=None),
        "last_return": max((r.ends_at for r in routes), default=None),
    }


def vehicles_to_move_to(plan: DeliveryPlan) -> list[dict[str, Any]]:
    """Every vehicle of the plan a stop may be moved onto, with its route's number if it has
    one (idle vehicles too: moving a stop there starts a route)."""
    numbers = dict(plan.routes.values_list("vehicle_id", "number"))
    locked = set(plan.routes.filter(locked=True).values_list("vehicle_id", flat=True))
    return [
        {"vehicle": v, "number": numbers.get(v.pk), "group": f"{v.echelon}-{v.hub_id}"}
        for v in plan.fleet.order_by("echelon", "hub", "pk")
        if v.pk not in locked
    ]


def stops_of(route: Route) -> QuerySet[RouteStop]:
    return route.stops.select_related("shop", "site").prefetch_related("orders__lines").order_by("position")


def last_mile_routes(plan: DeliveryPlan) -> QuerySet[Route]:
    return plan.routes.filter(echelon=Echelon.LAST_MILE).select_related("vehicle__hub")


def runs_deliveries(user: Any) -> bool:
    """Whether the delivery pages are for this person (the menu shows them): someone who plans
    a tobacco bureau's deliveries, not the power company or the federation."""
    return planned_organisations(user).exists()
