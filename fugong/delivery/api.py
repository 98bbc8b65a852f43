"""Delivery API: the backlog and a plan's progress for the office; a driver's route and the
doorstep actions for phones. Doorstep writes are authorised by the route's signed link and
idempotent with `Idempotency-Key`, so a phone on a poor network can resend safely."""

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fugong.core.api import ERRORS, IDEMPOTENT, LINK_ERRORS, UPLOAD_ERRORS, respond_once
from fugong.core.http import AuthedRequest
from fugong.routing.findings import clock

from . import queries
from .models import Route, RouteStop
from .services import dispatch, handover

router = Router(tags=["delivery"])
OPTIONAL_PHOTO = File(None)  # a refusal has no hand-over photo


class TownBacklog(Schema):
    network_point: str
    town: str
    shops: int
    orders: int
    cartons: int
    held_orders: int


@router.get("/backlog", response={200: list[TownBacklog], **ERRORS})
def backlog(request: AuthedRequest, bureau: int | None = None) -> list[dict[str, Any]]:
    """Orders not yet delivered per network point and town, for a bureau you run."""
    bureaus = queries.planned_organisations(request.user)
    chosen = get_object_or_404(bureaus, pk=bureau) if bureau else bureaus.first()
    if chosen is None:
        return []
    return [
        {
            "network_point": r["shop__network_point__name"],
            "town": r["shop__region__name"],
            "shops": r["shops"],
            "orders": r["orders"],
            "cartons": r["cartons"] or 0,
            "held_orders": r["held_orders"],
        }
        for r in queries.backlog_by_town(chosen)
    ]


class RouteProgress(Schema):
    route: int
    vehicle: str
    driver: str
    stops: int
    done: int
    short: int
    refused: int


@router.get("/plans/{plan_id}/progress", response={200: list[RouteProgress], **ERRORS})
def plan_progress(request: AuthedRequest, plan_id: int) -> list[dict[str, Any]]:
    plan = get_object_or_404(queries.visible_plans(request.user), pk=plan_id)
    return [
        {
            "route": row["route"].number,
            "vehicle": row["route"].vehicle.label,
            "driver": row["route"].vehicle.driver_name,
            **{k: row[k] for k in ("stops", "done", "short", "refused")},
        }
        for row in queries.route_progress(plan)
    ]


class RouteFigures(Schema):
    route: int
    echelon: str
    vehicle: str
    lent: bool
    driver: str
    starts: str
    back: str
    hours: float
    stops: int
    cartons: int
    km: float


class PlanOut(Schema):
    id: int
    day: str
    status: str
    latest_return: str
    longest_day_hours: float
    own_vehicles_first: bool
    last_delivery: str | None
    last_return: str | None
    routes: list[RouteFigures]


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS})
def plan(request: AuthedRequest, plan_id: int) -> dict[str, Any]:
    """A plan's settings and its day in figures: per route the start, return, hours, stops,
    cartons and km; the last delivery and the last return (HH:MM)."""
    chosen = get_object_or_404(queries.visible_plans(request.user), pk=plan_id)
    routes = queries.routes_with_stops(chosen)
    day = queries.day_figures(routes)
    return {
        "id": chosen.pk,
        "day": chosen.day.isoformat(),
        "status": chosen.status,
        "latest_return": f"{chosen.last_mile_ends_at:%H:%M}",
        "longest_day_hours": float(chosen.longest_day_hours),
        "own_vehicles_first": chosen.own_vehicles_first,
        "last_delivery": None if day["last_delivery"] is None else clock(day["last_delivery"]),
        "last_return": None if day["last_return"] is None else clock(day["last_return"]),
        "routes": [
            {
                "route": row["route"].number,
                "echelon": row["route"].echelon,
                "vehicle": row["route"].vehicle.label,
                "lent": row["route"].vehicle.offer_id is not None,
                "driver": row["route"].vehicle.driver_name,
                "starts": clock(row["route"].starts_at),
                "back": clock(row["route"].ends_at),
                **{k: row[k] for k in ("hours", "stops", "cartons", "km")},
            }
            for row in queries.route_rows(routes)
        ],
    }


class OrderLineOut(Schema):
    id: int
    brand: str
    quantity: int


class StopOut(Schema):
    id: int
    position: int
    name: str
    address: str
    cartons: int
    arrives: str
    arrived: bool
    outcome: str
    outcome_label: str
    lines: list[OrderLineOut]


def _stop_json(stop: RouteStop) -> dict[str, Any]:
    where = stop.shop or stop.site
    return {
        "id": stop.pk,
        "position": stop.position,
        "name": where.name if where else "",
        "address": stop.shop.address if stop.shop else (stop.site.address if stop.site else ""),
        "cartons": stop.cartons,
        "arrives": clock(stop.arrives_at),
        "arrived": stop.arrived_at is not None,
        "outcome": stop.outcome,
        "outcome_label": stop.get_outcome_display(),
        "lines": [
            {"id": line.pk, "brand": line.brand, "quantity": line.quantity}
            for order in stop.orders.all()
            for line in order.lines.all()
        ],
    }


def _route(token: str) -> Route:
    """The link's route; a forged or renewed link is a 403 (PermissionDenied)."""
    return dispatch.read_route_token(token)


@router.get("/runs/{token}", response={200: list[StopOut], **LINK_ERRORS}, auth=None)
def run(request: HttpRequest, token: str) -> list[dict[str, Any]]:
    """The stops of the route a driver's link was made for."""
    route = _route(token)
    return [_stop_json(s) for s in queries.stops_of(route).filter(is_reload=False)]


@router.post(
    "/runs/{token}/stops/{stop_id}/arrive", response={200: StopOut, **LINK_ERRORS}, auth=None, openapi_extra=IDEMPOTENT
)
def arrive(request: HttpRequest, token: str, stop_id: int) -> Status[Any]:
    route = _route(token)

    def act() -> tuple[int, Any]:
        handover.arrive(route, stop_id)
        return 200, _stop_json(queries.stops_of(route).get(pk=stop_id))

    return respond_once(request, {"stop": stop_id, "action": "arrive"}, act, scope=f"route:{route.pk}")


@router.post(
    "/runs/{token}/stops/{stop_id}/handover",
    response={200: StopOut, **LINK_ERRORS, **UPLOAD_ERRORS},
    auth=None,
    openapi_extra=IDEMPOTENT,
)
def hand_over(
    request: HttpRequest,
    token: str,
    stop_id: int,
    quantities: Form[str] = "{}",
    refused: Form[bool] = False,
    reason: Form[str] = "",
    by: Form[str] = "",
    photo: UploadedFile | None = OPTIONAL_PHOTO,
) -> Status[Any]:
    """What the shop took: `quantities` is a JSON object of order line id -> cartons."""
    route = _route(token)
    try:
        counted = {int(k): int(v) for k, v in json.loads(quantities or "{}").items()}
    except (ValueError, TypeError, AttributeError, OverflowError):  # OverflowError: 1e400 is infinity
        raise ValidationError({"quantities": _("The quantities could not be read.")}) from None
    photo_digest = hashlib.sha256(photo.read()).hexdigest() if photo is not None else ""
    if photo is not None:
        photo.seek(0)
    payload = {"stop": stop_id, "quantities": counted, "refused": refused, "reason": reason, "photo": photo_digest}

    def act() -> tuple[int, Any]:
        handover.hand_over(route, stop_id, quantities=counted, refused=refused, reason=reason, photo=photo, by=by)
        return 200, _stop_json(queries.stops_of(route).get(pk=stop_id))

    return respond_once(request, payload, act, scope=f"route:{route.pk}")
