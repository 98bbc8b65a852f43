"""Volunteers over JSON: the borrowed fleet for a day (for planners and other systems), a call's
state, answering a call from a phone app with the link's token, and the yearly figures."""

from datetime import date, datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from fugong.core.http import AuthedRequest
from fugong.directory.models import Region

from . import calls, queries, stats
from .models import AnswerStatus, Offer

router = Router(tags=["volunteers"])


class VehicleOut(Schema):
    offer_id: int
    vehicle_kind: str
    capacity_cartons: int
    plate: str
    owner: str
    team: str
    driver_ids: list[int]
    available_from: datetime
    available_until: datetime
    call_id: int | None


class DriverOut(Schema):
    member_id: int
    name: str
    mobile: str
    licence: str
    e_tricycle_licence: bool
    team: str
    available_from: datetime
    available_until: datetime


class FleetOut(Schema):
    day: date
    vehicles: list[VehicleOut]
    drivers: list[DriverOut]


@router.get("/fleet", response=FleetOut)
def fleet(request: AuthedRequest, day: date) -> dict[str, Any]:
    """Vehicles and licensed drivers lent for `day`, from the organisations you work for."""
    vehicles, drivers = queries.fleet_for_user(request.user, day)
    return {"day": day, "vehicles": [v.__dict__ for v in vehicles], "drivers": [d.__dict__ for d in drivers]}


class AnswerOut(Schema):
    member: str
    team: str
    status: str
    answered_at: datetime


class CallOut(Schema):
    id: int
    title: str
    status: str
    needed: int
    confirmed: int
    starts_at: datetime
    ends_at: datetime
    place: str
    answers: list[AnswerOut]


def _call_out(call: Any) -> dict[str, Any]:
    answers = call.answers.select_related("member__team").order_by("answered_at")
    return {
        "id": call.pk,
        "title": call.title,
        "status": call.status,
        "needed": call.needed,
        "confirmed": sum(1 for a in answers if a.status == AnswerStatus.CONFIRMED),
        "starts_at": call.starts_at,
        "ends_at": call.ends_at,
        "place": call.place,
        "answers": [
            {"member": a.member.name, "team": a.member.team.name, "status": a.status, "answered_at": a.answered_at}
            for a in answers
        ],
    }


@router.get("/calls/{call_id}", response=CallOut)
def call_status(request: AuthedRequest, call_id: int) -> dict[str, Any]:
    return _call_out(get_object_or_404(queries.visible_calls(request.user), pk=call_id))


class AnswerIn(Schema):
    answer: bool
    vehicle_id: int | None = None


class AnswerResultOut(Schema):
    status: str
    full: bool
    call: CallOut


@router.post("/answers/{token}", response=AnswerResultOut, auth=None)
def answer(request: AuthedRequest, token: str, payload: AnswerIn) -> dict[str, Any]:
    """Answer a call with the token from its link (no sign-in). Sending it twice changes nothing."""
    call, member = calls.read_answer_token(token)
    vehicle = get_object_or_404(Offer, pk=payload.vehicle_id) if payload.vehicle_id else None
    result = calls.answer_call(call, member, yes=payload.answer, vehicle=vehicle)
    call.refresh_from_db()
    return {"status": result.answer.status, "full": result.full, "call": _call_out(call)}


class LineOut(Schema):
    area: str
    teams: int
    members: int
    activities: int
    person_times: int
    people_served: int
    mother_parcels: int
    gift_packages: int
    disputes_settled: int


class StatisticsOut(Schema):
    region: str
    first_day: date
    last_day: date
    lines: list[LineOut]
    total: LineOut


@router.get("/statistics", response=StatisticsOut)
def statistics(request: AuthedRequest, region: str, first_day: date, last_day: date) -> dict[str, Any]:
    """The yearly figures for a region (division code) and period, from the teams you can see."""
    place = get_object_or_404(Region, code=region)
    result = stats.report(queries.visible_teams(request.user), place, first_day, last_day)
    return {
        "region": place.name,
        "first_day": first_day,
        "last_day": last_day,
        "lines": [line.as_dict() for line in result.lines],
        "total": result.total.as_dict(),
    }
