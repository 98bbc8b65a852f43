"""Volunteers over JSON: the borrowed fleet for a day (for planners and other systems), a call's
state and thread (and notes on it), answering a call from a phone app with the link's token, the yearly figures, teams,
and recording activities and aid from other systems."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from fugong.core.api import ERRORS, IDEMPOTENT, LINK_ERRORS, WRITE_ERRORS, respond_once
from fugong.core.api_types import Day, RowId
from fugong.core.http import AuthedRequest
from fugong.directory.models import Region

from . import queries, stats, thread
from .models import Activity, ActivityKind, AidItem, AnswerStatus, Offer, Team
from .services import calls, ledger
from .thread import ThreadEntry

router = Router(tags=["volunteers"])


class FleetOut(Schema):
    day: date
    vehicles: list[queries.FleetVehicle]
    drivers: list[queries.FleetDriver]


@router.get("/fleet", response={200: FleetOut, **ERRORS})
def fleet(request: AuthedRequest, day: Day) -> dict[str, Any]:
    """Vehicles and licensed drivers lent for `day`, from the organisations you work for."""
    vehicles, drivers = queries.fleet_for_user(request.user, day)
    return {"day": day, "vehicles": vehicles, "drivers": drivers}


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


@router.get("/calls/{call_id}", response={200: CallOut, **ERRORS})
def call_status(request: AuthedRequest, call_id: int) -> dict[str, Any]:
    return _call_out(get_object_or_404(queries.visible_calls(request.user), pk=call_id))


class ThreadEntryOut(Schema):
    at: datetime
    kind: str = Field(description="opened, invited, reminded, answered, confirmed, stood_down, cancelled or note")
    who: str = Field(description="The member (mobile masked) or the coordinator")
    text: str


@router.get("/calls/{call_id}/thread", response={200: list[ThreadEntryOut], **ERRORS})
def call_thread(request: AuthedRequest, call_id: int) -> list[ThreadEntry]:
    """Who was asked and reminded, who answered what and when, confirmations, notes: in order."""
    return thread.call_thread(get_object_or_404(queries.visible_calls(request.user), pk=call_id))


class NoteIn(Schema):
    text: str


@router.post("/calls/{call_id}/notes", response={201: ThreadEntryOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def add_call_note(request: AuthedRequest, call_id: int, payload: NoteIn) -> Status[Any]:
    """The coordinator's note on the call's thread. Use an `Idempotency-Key`."""

    def act() -> tuple[int, Any]:
        call = get_object_or_404(queries.visible_calls(request.user), pk=call_id)
        note = calls.add_note(request.user, call, payload.text)
        entry = thread.note_entry(note)
        return 201, ThreadEntryOut.model_validate(entry, from_attributes=True).model_dump(mode="json")

    return respond_once(request, payload.model_dump(mode="json"), act)


class AnswerIn(Schema):
    answer: bool
    vehicle_id: int | None = None


class AnswerResultOut(Schema):
    status: str
    full: bool
    call: CallOut


@router.post("/answers/{token}", response={200: AnswerResultOut, **LINK_ERRORS}, auth=None)
def answer(request: AuthedRequest, token: str, payload: AnswerIn) -> dict[str, Any]:
    """Answer a call with the token from its link (no sign-in). Sending it twice changes nothing."""
    call, member = calls.read_answer_token(token)
    vehicle = get_object_or_404(Offer, pk=payload.vehicle_id) if payload.vehicle_id else None
    result = calls.answer_call(call, member, yes=payload.answer, vehicle=vehicle)
    call.refresh_from_db()
    return {"status": result.answer.status, "full": result.full, "call": _call_out(call)}


class StatisticsLineOut(Schema):
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
    lines: list[StatisticsLineOut]
    total: StatisticsLineOut


@router.get("/statistics", response={200: StatisticsOut, **ERRORS})
def statistics(request: AuthedRequest, region: str, first_day: Day, last_day: Day) -> dict[str, Any]:
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


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    organisation: str
    region_code: str
    leader: str | None
    members: int


@router.get("/teams", response={200: list[TeamOut], **ERRORS})
def team_list(request: AuthedRequest) -> list[dict[str, Any]]:
    """The teams you can see, with their current member counts."""
    listing = (
        queries.visible_teams(request.user)
        .select_related("organisation", "leader")
        .annotate(size=Count("members", filter=Q(members__left_on__isnull=True), distinct=True))
    )
    return [
        {
            "id": t.pk,
            "name": t.name,
            "kind": t.kind,
            "organisation": t.organisation.name,
            "region_code": t.region.code,
            "leader": t.leader.name if t.leader else None,
            "members": t.size,
        }
        for t in listing
    ]


def _team(request: AuthedRequest, team_id: int) -> Team:
    return get_object_or_404(queries.visible_teams(request.user), pk=team_id)


class ActivityIn(Schema):
    kind: ActivityKind
    title: str
    held_on: Day
    place: str = ""
    participant_ids: list[RowId]
    people_served: int = Field(0, ge=0)
    note: str = ""


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    held_on: date
    place: str
    region_code: str
    participants: int
    people_served: int


def _activity_json(activity: Activity, participants: int) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "title": activity.title,
        "held_on": activity.held_on.isoformat(),
        "place": activity.place,
        "region_code": activity.region.code,
        "participants": participants,
        "people_served": activity.people_served,
    }


@router.get("/teams/{team_id}/activities", response={200: list[ActivityOut], **ERRORS})
def activity_list(request: AuthedRequest, team_id: int, first_day: Day, last_day: Day) -> list[dict[str, Any]]:
    activities = (
        _team(request, team_id)
        .activities.filter(held_on__range=(first_day, last_day))
        .select_related("region")
        .annotate(people=Count("participants"))
    )
    return [_activity_json(a, a.people) for a in activities]


@router.post("/teams/{team_id}/activities", response={201: ActivityOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def record_activity(request: AuthedRequest, team_id: int, payload: ActivityIn) -> Status[Any]:
    """Record what a team did; send an `Idempotency-Key` so a resend does not count it twice."""

    def act() -> tuple[int, Any]:
        team = _team(request, team_id)
        # Only this team's members are looked up: an id from elsewhere reveals no name.
        participants = list(team.members.filter(pk__in=payload.participant_ids))
        unknown = set(payload.participant_ids) - {m.pk for m in participants}
        if unknown:
            message = _("Not members of this team: %(names)s") % {"names": ", ".join(map(str, sorted(unknown)))}
            raise ValidationError({"participant_ids": message})
        fields = payload.model_dump(exclude={"participant_ids"})
        activity = ledger.record_activity(request.user, team, participants=participants, **fields)
        return 201, _activity_json(activity, len(participants))

    return respond_once(request, payload.model_dump(mode="json"), act)


class AidIn(Schema):
    item: AidItem
    quantity: int = Field(description="Positive when received, negative when handed out.")
    on: Day
    counterparty: str = ""
    note: str = ""


class AidEntryOut(Schema):
    id: int
    item: str
    quantity: int
    on: date
    counterparty: str


class LedgerOut(Schema):
    stock: dict[str, int]
    entries: list[AidEntryOut]


@router.get("/teams/{team_id}/aid", response={200: LedgerOut, **ERRORS})
def aid_ledger(request: AuthedRequest, team_id: int) -> dict[str, Any]:
    """Stock per item and the latest 200 ledger lines."""
    team = _team(request, team_id)
    return {"stock": ledger.stock(team), "entries": list(team.aid_entries.all()[:200])}


@router.post("/teams/{team_id}/aid", response={201: AidEntryOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def record_aid(request: AuthedRequest, team_id: int, payload: AidIn) -> Status[Any]:
    """One ledger line; handing out more than is in stock is refused. Use an `Idempotency-Key`."""

    def act() -> tuple[int, Any]:
        entry = ledger.record_aid(request.user, _team(request, team_id), **payload.model_dump())
        return 201, AidEntryOut.from_orm(entry).model_dump(mode="json")

    return respond_once(request, payload.model_dump(mode="json"), act)
