"""An independent check of a stored delivery plan: it recomputes travel with its own
arithmetic from the shops' coordinates and the vehicles' published speeds, and reads the
rules (capacity, windows, shifts, licences, quantities) from the database, not from the
solver or the routing engine."""

import math
from collections import defaultdict

from fugong.delivery.models import DeliveryPlan, Echelon

# km/h and road factor per vehicle kind, as the bureau set them (fugong/delivery/services/fleet.py)
SPEED = {"tricycle": (10, 1.4), "e_tricycle": (18, 1.4), "van": (35, 1.3), "car": (40, 1.3), "lorry": (45, 1.25)}
CAR_LICENCES = {"C1", "C2", "B1", "B2", "A2"}
SLACK = 2  # seconds of rounding per leg


def _seconds(t) -> int:
    return t.hour * 3600 + t.minute * 60


def _travel(kind: str, a, b) -> int:
    lat1, lng1, lat2, lng2 = map(
        math.radians, (float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    metres = 2 * 6_371_008.8 * math.asin(math.sqrt(h))
    speed, factor = SPEED[kind]
    return round(metres * factor / (speed / 3.6))


def _may_drive(licence: str, e_tricycle: bool, kind: str) -> bool:
    if kind in {"van", "car", "lorry"}:
        return licence in CAR_LICENCES
    return bool(licence) or e_tricycle


def violations(plan: DeliveryPlan) -> list[str]:
    return _walk(plan)[0]


def returns(plan: DeliveryPlan) -> dict[int, int]:
    """Each route's return to its hub (seconds after midnight), by route number, as this checker
    works it out: the latest of them is the plan's last return."""
    return _walk(plan)[1]


def _walk(plan: DeliveryPlan) -> tuple[list[str], dict[int, int]]:
    found = []
    back: dict[int, int] = {}
    latest, longest = _seconds(plan.last_mile_ends_at), float(plan.longest_day_hours) * 3600
    delivered = defaultdict(int)
    for route in plan.routes.select_related("vehicle__hub", "vehicle__driver", "vehicle__member"):
        vehicle = route.vehicle
        person = vehicle.driver or vehicle.member
        if person is None or not _may_drive(person.licence, person.e_tricycle_licence, vehicle.kind):
            found.append(f"route {route.number}: {vehicle.driver_name} may not drive a {vehicle.kind}")
        here, clock = vehicle.hub, route.starts_at
        if clock < _seconds(vehicle.available_from):
            found.append(f"route {route.number} leaves before the vehicle is available")
        loads = [0]
        for stop in route.stops.select_related("shop", "site").order_by("position"):
            there = stop.shop or stop.site
            clock += _travel(vehicle.kind, here, there)
            if stop.arrives_at + SLACK * stop.position < clock:  # promised earlier than it can get there
                found.append(
                    f"route {route.number} stop {stop.position}: arrives {stop.arrives_at}, cannot before {clock}"
                )
            clock = max(clock, stop.arrives_at)
            if stop.is_reload:
                loads.append(0)
            else:
                loads[-1] += stop.cartons
                if stop.shop:
                    opens, closes = _seconds(stop.shop.opens_at), _seconds(stop.shop.closes_at)
                    clock = max(clock, opens)
                    if clock > closes:
                        found.append(f"route {route.number}: {stop.shop.name} reached after it closes")
                    clock += stop.shop.service_minutes * 60 + 3 * stop.cartons
                    delivered[("shop", stop.shop_id)] += stop.cartons
                else:
                    if clock > _seconds(plan.trunk_deadline):
                        found.append(f"route {route.number}: {stop.site.name} reached after the deadline")
                    clock += 15 * 60
                    delivered[("site", stop.site_id)] += stop.cartons
            here = there
        clock += _travel(vehicle.kind, here, vehicle.hub)
        back[route.number] = clock
        if clock > min(_seconds(vehicle.available_until), latest) + SLACK * route.stops.count():
            found.append(f"route {route.number} is back at {clock}, after {vehicle.available_until} or {latest}")
        if clock - route.starts_at > longest + SLACK * route.stops.count():
            found.append(f"route {route.number} works {clock - route.starts_at} s, longer than {longest}")
        found.extend(
            f"route {route.number} trip {n + 1}: {load} cartons on a {vehicle.capacity_cartons}-carton vehicle"
            for n, load in enumerate(loads)
            if load > vehicle.capacity_cartons
        )
    ordered = defaultdict(int)
    for order in plan.orders.select_related("shop"):
        ordered[("shop", order.shop_id)] += order.cartons
        ordered[("site", order.shop.network_point_id)] += order.cartons
    for key, cartons in delivered.items():
        if cartons > ordered[key]:
            found.append(f"{key}: {cartons} cartons delivered, {ordered[key]} ordered")
    if plan.routes.filter(echelon=Echelon.TRUNK).exists():
        for key, cartons in ordered.items():
            if key[0] == "site" and delivered[key] < cartons:
                found.append(f"network point {key[1]}: {delivered[key]} of {cartons} cartons brought by the trunk")
    return found, back


def unserved_shops(plan: DeliveryPlan) -> list[int]:
    served = defaultdict(int)
    for route in plan.routes.filter(echelon=Echelon.LAST_MILE):
        for stop in route.stops.exclude(shop=None):
            served[stop.shop_id] += stop.cartons
    ordered = defaultdict(int)
    for order in plan.orders.all():
        ordered[order.shop_id] += order.cartons
    return [shop for shop, cartons in ordered.items() if served[shop] < cartons]
