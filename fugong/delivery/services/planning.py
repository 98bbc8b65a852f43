"""Planning a day: create the plan, solve its legs with the routing engine, keep the routes,
let a dispatcher move stops and lock routes, and re-optimise around what is locked.

Every change of a route goes through `_store_route`, which recomputes times and loads with
the engine's own arithmetic (`routing.plan.evaluate`) and keeps what breaks a rule, so a hand
edit shows the same warnings as a solver's plan would.
"""

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.jobs import start_job
from fugong.core.transactions import durable, service_transaction
from fugong.directory.models import Organisation, Site
from fugong.routing.plan import Step, evaluate
from fugong.routing.solver import solve

from .. import queries
from ..access import may_plan
from ..legs import Leg, backlog, last_mile_leg, trunk_leg
from ..models import (
    DeliveryPlan,
    Echelon,
    OrderStatus,
    PlanStatus,
    PlanVehicle,
    Route,
    RouteStop,
    Shop,
)

Progress = Callable[[float, str], None]


@durable
def create_plan(
    actor: User | None,
    organisation: Organisation,
    *,
    day: date,
    network_points: list[Site],
    depot: Site | None = None,
    **times: Any,
) -> DeliveryPlan:
    require(may_plan(actor, organisation))
    if not network_points:
        raise ValidationError({"network_points": _("Choose at least one network point.")})
    if any(p.organisation_id != organisation.pk or p.kind != Site.Kind.NETWORK_POINT for p in network_points):
        raise ValidationError({"network_points": _("Choose the bureau's own network points.")})
    if depot is not None and (depot.organisation_id != organisation.pk or depot.kind == Site.Kind.NETWORK_POINT):
        raise ValidationError({"depot": _("Choose the bureau's transfer station or distribution centre.")})
    unmapped = [s.name for s in [*network_points, depot] if s is not None and s.latitude is None]
    if unmapped:
        raise ValidationError(_("Put these sites on the map first: %(names)s.") % {"names": "、".join(unmapped)})
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one new plan at a time
    busy = sorted(queries.points_in_live_plans(day, network_points).values_list("name", flat=True))
    if busy:
        raise ValidationError(
            {
                "network_points": _("%(points)s already in a plan for this day: open that plan, or cancel it first.")
                % {"points": "、".join(busy)}
            }
        )
    plan = DeliveryPlan(
        organisation=organisation, day=day, depot=depot, created_by=actor if actor and actor.pk else None, **times
    )
    plan.full_clean(exclude=["network_points", "orders", "created_by"])
    plan.save()
    plan.network_points.set(network_points)
    audit.record(actor, "plan.create", plan, organisation_id=organisation.pk)
    return plan


SETTINGS = ("last_mile_ends_at", "longest_day_hours", "own_vehicles_first", "search_seconds")


@durable
def change_settings(actor: User | None, plan: DeliveryPlan, **fields: Any) -> DeliveryPlan:
    """The plan's objective (latest return, longest day, own vehicles first) and search time;
    they apply the next time the plan is planned."""
    _require_editable(actor, plan)
    unknown = set(fields) - set(SETTINGS)
    if unknown:
        raise ValueError(f"not a plan setting: {sorted(unknown)}")
    before = {name: str(getattr(plan, name)) for name in fields}
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["network_points", "orders", "created_by", "job"])
    plan.save(update_fields=list(fields))
    changes = {n: [before[n], str(getattr(plan, n))] for n in fields if before[n] != str(getattr(plan, n))}
    audit.record(actor, "plan.settings", plan, changes=changes, organisation_id=plan.organisation_id)
    return plan


def _require_editable(actor: User | None, plan: DeliveryPlan) -> None:
    require(may_plan(actor, plan.organisation))
    if not plan.is_editable:
        raise ValidationError(_("This plan can no longer be changed."))


def is_stuck(plan: DeliveryPlan) -> bool:
    """Planning whose run is over or gone (a worker killed mid-run): it may be started again."""
    return plan.status == PlanStatus.PLANNING and (plan.job is None or plan.job.is_finished)


@durable
def queue_planning(actor: User | None, plan: DeliveryPlan, *, keep_locked: bool) -> DeliveryPlan:
    """Claim the plan and queue its run in the background, together or neither: a claimed plan
    with no run would wait until it counts as stuck."""
    # Imported here: the task module imports this one to run the plan.
    from ..tasks import plan_deliveries

    plan = _claim(actor, plan)
    plan.job = start_job(
        plan_deliveries,
        kind="delivery.plan",
        title=_("Plan deliveries for %(day)s") % {"day": plan.day.isoformat()},
        user=actor,
        args=(plan.pk, keep_locked, get_language()),
    )
    plan.save(update_fields=["job"])
    return plan


@durable
def start_planning(actor: User | None, plan: DeliveryPlan) -> DeliveryPlan:
    """Claim the plan for a run here and now (the run itself is `run_plan`)."""
    return _claim(actor, plan)


def _claim(actor: User | None, plan: DeliveryPlan) -> DeliveryPlan:
    """Mark the plan as being planned (one run at a time)."""
    require(may_plan(actor, plan.organisation))
    plan = DeliveryPlan.objects.select_for_update(of=("self",)).select_related("job").get(pk=plan.pk)
    if plan.status == PlanStatus.PLANNING and not is_stuck(plan):
        raise ValidationError(_("This plan is being planned already."))
    if not (plan.is_editable or is_stuck(plan)):
        raise ValidationError(_("This plan can no longer be changed."))
    if not plan.fleet.exists():
        raise ValidationError(_("Choose the vehicles first."))
    plan.status = PlanStatus.PLANNING
    plan.save(update_fields=["status"])
    return plan


def run_plan(plan: DeliveryPlan, *, keep_locked: bool, progress: Progress | None = None) -> dict[str, Any]:
    """Solve every leg and store the routes. Without `keep_locked` the plan takes the current
    backlog afresh and every route is replaced; with it, locked routes stay as they are."""
    try:
        with service_transaction("delivery.run_plan"):
            if not keep_locked:
                plan.routes.all().delete()
                plan.orders.set(backlog(plan))
            else:  # orders held or planned elsewhere since the last run leave the plan
                plan.orders.remove(*plan.orders.exclude(status=OrderStatus.PLACED))
            findings: list[dict[str, Any]] = []
            trunk = _solve_trunk(plan, findings, progress)
            hubs = list(plan.network_points.order_by("pk"))
            for number, hub in enumerate(hubs):
                _solve_leg(
                    plan,
                    _last_mile_without_locked(plan, hub),
                    findings,
                    progress,
                    (number + trunk) / (len(hubs) + trunk),
                )
            # A plan cancelled while it was being planned stays cancelled.
            DeliveryPlan.objects.filter(pk=plan.pk, status=PlanStatus.PLANNING).update(
                findings=findings, status=PlanStatus.READY
            )
    except BaseException:
        after = PlanStatus.READY if plan.routes.exists() else PlanStatus.DRAFT
        DeliveryPlan.objects.filter(pk=plan.pk, status=PlanStatus.PLANNING).update(status=after)
        raise
    plan.refresh_from_db()
    return summary(plan)


def summary(plan: DeliveryPlan) -> dict[str, Any]:
    served = RouteStop.objects.filter(route__plan=plan, route__echelon=Echelon.LAST_MILE, shop__isnull=False)
    return {
        "routes": plan.routes.count(),
        "shops_served": served.values("shop").distinct().count(),
        "cartons_planned": served.aggregate(n=Sum("cartons"))["n"] or 0,
        "shops": plan.orders.values("shop").distinct().count(),
        "cartons": plan.orders.aggregate(n=Sum("cartons"))["n"] or 0,
    }


def _solve_trunk(plan: DeliveryPlan, findings: list[dict[str, Any]], progress: Progress | None) -> int:
    leg = trunk_leg(plan)
    if leg is None:
        return 0
    locked = plan.routes.filter(echelon=Echelon.TRUNK, locked=True)
    carried = RouteStop.objects.filter(route__in=locked, site__isnull=False).values("site").annotate(n=Sum("cartons"))
    left = {s.pk: leg.problem.stops[i].demand for i, s in enumerate(leg.destinations)}
    for row in carried:
        left[row["site"]] = max(0, left.get(row["site"], 0) - row["n"])
    remaining = trunk_leg(plan, demand=left)
    assert remaining is not None
    _solve_leg(plan, remaining, findings, progress, 0.0)
    return 1


def _last_mile_without_locked(plan: DeliveryPlan, hub: Site) -> Leg:
    leg = last_mile_leg(plan, hub)
    left = {s.pk: leg.problem.stops[i].demand for i, s in enumerate(leg.destinations)}
    locked = RouteStop.objects.filter(route__plan=plan, route__locked=True, route__vehicle__hub=hub, shop__isnull=False)
    for row in locked.values("shop").annotate(n=Sum("cartons")):
        left[row["shop"]] = max(0, left.get(row["shop"], 0) - row["n"])
    return last_mile_leg(plan, hub, demand=left)


def _solve_leg(
    plan: DeliveryPlan, leg: Leg, findings: list[dict[str, Any]], progress: Progress | None, base: float
) -> None:
    """Solve what is left of a leg with its unlocked vehicles and store the routes."""
    locked_ids = set(plan.routes.filter(locked=True).values_list("vehicle_id", flat=True))
    plan.routes.filter(vehicle__in=leg.vehicles, locked=False).delete()
    free = [i for i, v in enumerate(leg.vehicles) if v.pk not in locked_ids]
    open_stops = [i for i, s in enumerate(leg.problem.stops) if s.demand > 0]
    if not open_stops:
        return
    if not free:  # nothing left to carry these: say so instead of asking the engine
        findings.append({"code": "no_free_vehicle", "params": {"hub": leg.hub.name}})
        for i in open_stops:
            stop = leg.problem.stops[i]
            findings.append({"code": "not_planned", "params": {"stop": stop.key, "cartons": stop.demand}})
        return
    problem = dataclasses.replace(
        leg.problem, stops=[leg.problem.stops[i] for i in open_stops], fleet=[leg.problem.fleet[i] for i in free]
    )
    share = 1 / max(1, plan.network_points.count() + (1 if plan.depot_id else 0))
    seconds = min(5, plan.search_seconds) if leg.echelon == Echelon.TRUNK else plan.search_seconds
    report = (lambda f: progress(base + share * f, leg.hub.name)) if progress else None
    result = solve(problem, seconds=seconds, seed=plan.pk, workers=settings.ROUTING_WORKERS, progress=report)
    findings.extend({"code": f.code, "params": f.params} for f in result.notes)
    for route in result.routes:
        steps = [
            dataclasses.replace(step, stop=open_stops[step.stop]) if step.stop is not None else step
            for step in (visit.step for visit in route.visits)
        ]
        new = Route.objects.create(
            plan=plan,
            vehicle=leg.vehicles[free[route.group]],
            echelon=leg.echelon,
            number=_next_number(plan),
            starts_at=0,
            ends_at=0,
            distance_m=0,
        )
        _store_route(new, leg, steps, depart=route.start_time)
    for index in result.unserved:
        stop = problem.stops[index]
        findings.append(
            {"code": "not_planned", "params": {"stop": stop.key, "cartons": stop.demand, "echelon": leg.echelon}}
        )


def _next_number(plan: DeliveryPlan) -> int:
    return (plan.routes.aggregate(n=Max("number"))["n"] or 0) + 1


def _store_route(route: Route, leg: Leg, steps: list[Step], *, depart: int | None = None) -> None:
    """Write a route's stops with the times and loads the engine's arithmetic gives them,
    leaving when the engine chose to (after a hand edit: as the first stop opens)."""
    evaluated = evaluate(leg.problem, leg.group_index(route.vehicle), steps, depart=depart)
    route.stops.all().delete()
    route.starts_at, route.ends_at, route.distance_m = evaluated.start_time, evaluated.end_time, evaluated.distance
    route.problems = [{"code": f.code, "params": f.params} for f in evaluated.problems]
    route.save(update_fields=["starts_at", "ends_at", "distance_m", "problems"])
    for position, visit in enumerate(evaluated.visits, start=1):
        step = visit.step
        destination = leg.destinations[step.stop] if step.stop is not None else None
        stop = RouteStop.objects.create(
            route=route,
            position=position,
            shop=destination if isinstance(destination, Shop) else None,
            site=destination if isinstance(destination, Site) else (leg.hub if step.is_reload else None),
            is_reload=step.is_reload,
            cartons=step.amount,
            trip=visit.trip,
            load_on_arrival=visit.load,
            arrives_at=visit.arrival,
            departs_at=visit.departure,
        )
        if isinstance(destination, Shop):
            stop.orders.set(leg.orders[destination.pk])


def _steps(route: Route, leg: Leg) -> list[Step]:
    steps = []
    for stop in route.stops.select_related("shop", "site").order_by("position"):
        if stop.is_reload:
            steps.append(Step(place=0))
        else:
            index = leg.stop_index(stop.shop or stop.site)  # type: ignore[arg-type]
            steps.append(Step(place=leg.problem.stops[index].place, stop=index, amount=stop.cartons))
    return steps


def leg_of_route(route: Route) -> Leg:
    plan = route.plan
    if route.echelon == Echelon.TRUNK:
        leg = trunk_leg(plan)
        assert leg is not None
        return leg
    return last_mile_leg(plan, route.vehicle.hub)


@durable
def move_stop(actor: User | None, stop: RouteStop, vehicle: PlanVehicle, position: int) -> Route:
    """Move a delivery onto any vehicle of the plan from the same network point, at `position`
    (1 = first): onto its route, or onto a new route if it had none (an idle vehicle). Times,
    loads and problems of both routes are recomputed; a route left with nothing to deliver goes.
    Returns the route the stop is now on."""
    source = stop.route
    plan = source.plan
    _require_editable(actor, plan)
    if stop.is_reload or vehicle.plan_id != plan.pk:
        raise ValidationError(_("Only deliveries of this plan can be moved."))
    if vehicle.echelon != source.echelon or vehicle.hub_id != source.vehicle.hub_id:
        raise ValidationError(_("A stop can only move to a vehicle from the same network point."))
    to_route = plan.routes.filter(vehicle=vehicle).first()
    if source.locked or (to_route is not None and to_route.locked):
        raise ValidationError(_("Unlock the route first."))
    leg = leg_of_route(source)
    try:
        moving = _steps(source, leg)
        target = [] if to_route is None else _steps(to_route, leg)
    except StopIteration:  # a shop moved to another network point since the plan was made
        raise ValidationError(_("The plan is out of date: plan it again.")) from None
    step = moving.pop(stop.position - 1)
    if to_route is None:
        to_route = Route.objects.create(
            plan=plan,
            vehicle=vehicle,
            echelon=source.echelon,
            number=_next_number(plan),
            starts_at=0,
            ends_at=0,
            distance_m=0,
        )
    if to_route.pk == source.pk:
        target = moving
    elif any(not s.is_reload for s in moving):
        _store_route(source, leg, moving)
    else:
        source.delete()
    target.insert(max(0, min(position - 1, len(target))), step)
    _store_route(to_route, leg, target)
    audit.record(
        actor,
        "plan.stop_move",
        plan,
        changes={"stop": [f"#{source.number}", f"#{to_route.number}"]},
        organisation_id=plan.organisation_id,
    )
    return to_route


@durable
def set_locked(actor: User | None, route: Route, locked: bool) -> None:
    """A locked route is kept as it is when the plan is re-optimised."""
    _require_editable(actor, route.plan)
    route.locked = locked
    route.save(update_fields=["locked"])


@durable
def cancel_plan(actor: User | None, plan: DeliveryPlan) -> None:
    """Drop a plan not yet published (also one being planned: its run will not revive it)."""
    require(may_plan(actor, plan.organisation))
    if not (plan.is_editable or plan.status == PlanStatus.PLANNING):
        raise ValidationError(_("A published plan is closed, not cancelled."))
    plan.status = PlanStatus.CANCELLED
    plan.save(update_fields=["status"])
    audit.record(actor, "plan.cancel", plan, organisation_id=plan.organisation_id)
