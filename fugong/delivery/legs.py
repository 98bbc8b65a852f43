"""A plan as routing problems ("legs"): the trunk from the transfer station to the network
points, and the last mile from each network point to its shops. The same leg is built to
solve, to re-optimise around locked routes, and to recompute times after a hand edit, so a
route's stops always map to the same engine stops."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import time

from django.db.models import QuerySet

from fugong.directory.models import Site
from fugong.routing.problem import Place, Problem, Stop, VehicleGroup

from .models import LIVE_PLAN_STATUSES, DeliveryPlan, Echelon, Order, OrderStatus, PlanVehicle, Shop
from .services.fleet import PROFILES
from .travel import travel

TRUNK_UNLOADING_SECONDS = 15 * 60
# A minute a carton for the trunk's unloading is too much; shops take their own minutes plus a
# few seconds a carton to count at the door.
SECONDS_PER_CARTON = 3


def seconds_of(at: time) -> int:
    return at.hour * 3600 + at.minute * 60 + at.second


@dataclass(frozen=True)
class Leg:
    echelon: str
    hub: Site
    problem: Problem
    vehicles: list[PlanVehicle]  # engine vehicle group -> plan vehicle
    destinations: list[Shop | Site]  # engine stop -> shop (last mile) or network point (trunk)
    orders: dict[int, list[Order]]  # shop id -> its orders in the plan (last mile)

    def stop_index(self, destination: Shop | Site) -> int:
        return next(
            i for i, d in enumerate(self.destinations) if type(d) is type(destination) and d.pk == destination.pk
        )

    def group_index(self, vehicle: PlanVehicle) -> int:
        return next(i for i, v in enumerate(self.vehicles) if v.pk == vehicle.pk)


def backlog(plan: DeliveryPlan) -> QuerySet[Order]:
    """Released orders of the plan's network points placed by its day, unless another live plan
    (another day's, not yet published) holds them."""
    elsewhere = DeliveryPlan.objects.filter(status__in=LIVE_PLAN_STATUSES).exclude(pk=plan.pk)
    return (
        Order.objects.filter(
            organisation=plan.organisation,
            status=OrderStatus.PLACED,
            placed_on__lte=plan.day,
            shop__network_point__in=plan.network_points.all(),
            shop__is_active=True,
        )
        .exclude(plans__in=elsewhere)
        .select_related("shop")
    )


def _place(key: str, where: Shop | Site) -> Place:
    assert where.longitude is not None and where.latitude is not None
    return Place(key, float(where.longitude), float(where.latitude))


def _groups(plan: DeliveryPlan, vehicles: list[PlanVehicle], kinds: list[str]) -> list[VehicleGroup]:
    """Each vehicle back by the plan's latest return, its driver working the longest day at
    most, and a lent vehicle in reserve when the bureau's own come first."""
    latest = seconds_of(plan.last_mile_ends_at)
    longest = int(plan.longest_day_hours * 3600)
    return [
        VehicleGroup(
            key=f"{v.label} · {v.driver_name}",
            capacity=v.capacity_cartons,
            count=1,
            start=0,
            end=0,
            shift=(
                seconds_of(v.available_from),
                max(seconds_of(v.available_from), min(seconds_of(v.available_until), latest)),
            ),
            profile=kinds.index(v.kind),
            reload_at=(0,),
            max_reloads=v.max_reloads,
            max_duration=longest,
            reserve=plan.own_vehicles_first and v.offer_id is not None,
        )
        for v in vehicles
    ]


def _problem(
    plan: DeliveryPlan, places: list[Place], stops: list[Stop], vehicles: list[PlanVehicle], *, balance: bool
) -> Problem:
    kinds = sorted({v.kind for v in vehicles}) or ["van"]
    profiles = [PROFILES[k] for k in kinds]  # type: ignore[index]
    return Problem(
        places=places,
        stops=stops,
        fleet=_groups(plan, vehicles, kinds),
        travel=travel(places, profiles),
        profiles=profiles,
        all_required=False,
        duration_cost=1,  # a second of a person's day weighs like a metre driven
        balance=balance,  # the last mile: the shortest day; the trunk has its deadline instead
    )


def last_mile_leg(plan: DeliveryPlan, hub: Site, *, demand: dict[int, int] | None = None) -> Leg:
    """The shops of `hub` with orders in the plan; `demand` (shop id -> cartons) replaces the
    orders' totals when locked routes already carry part of them."""
    orders: dict[int, list[Order]] = defaultdict(list)
    for order in plan.orders.filter(shop__network_point=hub).select_related("shop").order_by("shop_id", "pk"):
        orders[order.shop_id].append(order)
    shops = [group[0].shop for group in orders.values()]
    places = [_place(hub.name, hub)] + [_place(s.licence_number, s) for s in shops]
    stops = []
    for index, shop in enumerate(shops, start=1):
        cartons = sum(o.cartons for o in orders[shop.pk]) if demand is None else demand.get(shop.pk, 0)
        stops.append(
            Stop(
                key=shop.name,
                place=index,
                demand=cartons,
                window=(seconds_of(shop.opens_at), seconds_of(shop.closes_at)),
                service=shop.service_minutes * 60 + SECONDS_PER_CARTON * cartons,
            )
        )
    vehicles = list(plan.fleet.filter(echelon=Echelon.LAST_MILE, hub=hub).order_by("pk"))
    return Leg(
        Echelon.LAST_MILE,
        hub,
        _problem(plan, places, stops, vehicles, balance=True),
        vehicles,
        list(shops),
        dict(orders),
    )


def trunk_leg(plan: DeliveryPlan, *, demand: dict[int, int] | None = None) -> Leg | None:
    """Network points as stops of the trunk, each needing its shops' cartons by the deadline."""
    if plan.depot is None:
        return None
    points = list(plan.network_points.order_by("pk"))
    if demand is None:
        demand = defaultdict(int)
        for order in plan.orders.select_related("shop"):
            demand[order.shop.network_point_id] += order.cartons
    places = [_place(plan.depot.name, plan.depot)] + [_place(p.name, p) for p in points]
    window = (seconds_of(plan.trunk_starts_at), seconds_of(plan.trunk_deadline))
    stops = [
        Stop(key=p.name, place=i, demand=demand.get(p.pk, 0), window=window, service=TRUNK_UNLOADING_SECONDS)
        for i, p in enumerate(points, start=1)
    ]
    vehicles = list(plan.fleet.filter(echelon=Echelon.TRUNK).order_by("pk"))
    return Leg(
        Echelon.TRUNK, plan.depot, _problem(plan, places, stops, vehicles, balance=False), vehicles, list(points), {}
    )
