"""Screening API: the policy in force (for scanners that work offline), check-ins from staff
scanners (one or a batch resent after a dead spot, each with its nonce), and the visitor's own
check-in through the venue code's signed token. A resent nonce never records twice."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from fugong.accounts.permissions import require
from fugong.core.api import ERRORS, IDEMPOTENT, LINK_ERRORS, WRITE_ERRORS, respond_once
from fugong.core.api_types import Day, Moment
from fugong.core.clock import day_bounds
from fugong.core.http import AuthedRequest, client_ip
from fugong.core.masking import mask_id_number, mask_mobile, mask_name

from . import queries, rules
from .access import may_screen
from .models import Channel, CheckIn, CheckKind, Venue
from .services import checkins, logs, policies, venues

router = Router(tags=["screening"])
MAX_BATCH = 500


class CheckOut(Schema):
    kind: str
    label: str
    rule: str
    parameter: str | None
    on_fail: str
    on_doubt: str
    answers: list[str]


class PolicyOut(Schema):
    id: int
    name: str
    effective_from: datetime
    applies_to: str
    checks: list[CheckOut]


class VenueOut(Schema):
    id: int
    site: str
    organisation: str
    is_active: bool
    policy: PolicyOut | None


class ScreenedSiteOut(VenueOut):
    checkins_per_minute: int = Field(
        ..., description="Visitors who may check in with their phones here per minute (set on the site's page)"
    )


def _policy_json(policy: Any) -> dict[str, Any] | None:
    if policy is None:
        return None
    checks = []
    for check in policy.checks.all():
        value = check.parameter
        checks.append(
            {
                "kind": check.kind,
                "label": str(CheckKind(check.kind).label),
                "rule": rules.describe(check),
                "parameter": None if value is None else str(value),
                "on_fail": check.on_fail,
                "on_doubt": check.on_doubt,
                "answers": [value for value, _label in rules.answer_choices(check)],
            }
        )
    return {
        "id": policy.pk,
        "name": policy.name,
        "effective_from": policy.effective_from,
        "applies_to": str(policy.applies_to),
        "checks": checks,
    }


def _venue(request: AuthedRequest, venue_id: int) -> Venue:
    venue = get_object_or_404(queries.visible_venues(request.user), pk=venue_id)
    require(may_screen(request.user, venue))
    return venue


@router.get("/sites", response={200: list[ScreenedSiteOut], **ERRORS})
def sites(request: AuthedRequest) -> list[dict[str, Any]]:
    """Screened sites you work, each with the policy in force now and its phone check-ins per minute."""
    return [
        _venue_json(v) | {"checkins_per_minute": v.checkins_per_minute} for v in queries.visible_venues(request.user)
    ]


def _venue_json(venue: Venue) -> dict[str, Any]:
    return {
        "id": venue.pk,
        "site": venue.site.name,
        "organisation": str(venue.site.organisation),
        "is_active": venue.is_active,
        "policy": _policy_json(policies.in_force(venue.site)),
    }


class CheckInIn(Schema):
    nonce: str = Field(..., min_length=8, max_length=64, description="The scanner's own id for this check-in")
    at: Moment | None = Field(None, description="When it happened (offline scanners); default now")
    name: str = ""
    mobile: str = ""
    id_number: str = ""
    companion_name: str = ""
    companion_mobile: str = ""
    answers: dict[str, str | int | float | None] = Field(
        default_factory=dict, description="Check kind -> answer, e.g. {'health_code': 'green', 'temperature': 36.6}"
    )


class CheckInOut(Schema):
    id: UUID
    at: datetime
    site: str
    name: str
    mobile: str
    id_number: str
    decision: str
    final_decision: str
    temperature: str | None
    results: list[dict[str, Any]]
    created: bool


def _checkin_json(record: CheckIn, created: bool) -> dict[str, Any]:
    """Masked: the scanner knows whom it scanned; the answer need not repeat it in full."""
    return {
        "id": record.public_id,
        "at": timezone.localtime(record.at),
        "site": record.venue.site.name,
        "name": mask_name(record.name),
        "mobile": mask_mobile(record.mobile),
        "id_number": mask_id_number(record.id_number),
        "decision": record.decision,
        "final_decision": record.final_decision,
        "temperature": None if record.temperature is None else str(record.temperature),
        "results": record.results,
        "created": created,
    }


def _record(
    actor: Any, venue: Venue, item: CheckInIn, channel: Channel, address: str | None = None
) -> tuple[CheckIn, bool]:
    visitor = checkins.Visitor(
        name=item.name,
        mobile=item.mobile,
        id_number=item.id_number,
        companion_name=item.companion_name,
        companion_mobile=item.companion_mobile,
    )
    try:
        return checkins.check_in(
            actor, venue, visitor, item.answers, channel=channel, nonce=item.nonce, at=item.at, address=address
        )
    except checkins.NonceConflict:
        raise HttpError(409, _("This nonce was already used for another person.")) from None
    except checkins.TooManyCheckIns:
        raise HttpError(429, checkins.too_many_check_ins()) from None


@router.post("/sites/{venue_id}/checkins", response={200: CheckInOut, 201: CheckInOut, **WRITE_ERRORS})
def scan(request: AuthedRequest, venue_id: int, payload: CheckInIn) -> Status[Any]:
    """One check-in from a staff scanner. Resending the same nonce answers 200 with the first
    record; a new one answers 201."""
    venue = _venue(request, venue_id)
    record, created = _record(request.user, venue, payload, Channel.SCANNER)
    return Status(201 if created else 200, _checkin_json(record, created))


class BatchItemOut(Schema):
    nonce: str
    status: int
    checkin: CheckInOut | None = None
    message: str = ""
    errors: dict[str, list[str]] | None = None


@router.post("/sites/{venue_id}/checkins/batch", response={200: list[BatchItemOut], **WRITE_ERRORS})
def scan_batch(request: AuthedRequest, venue_id: int, payload: list[CheckInIn]) -> list[dict[str, Any]]:
    """What an offline scanner kept while it had no network, in one request. Each check-in
    stands alone: a bad one is reported with its errors and the rest are recorded."""
    venue = _venue(request, venue_id)
    if len(payload) > MAX_BATCH:
        raise HttpError(422, _("At most %(n)d check-ins per batch.") % {"n": MAX_BATCH})
    answers = []
    for item in payload:
        try:
            record, created = _record(request.user, venue, item, Channel.SCANNER)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            answers.append(
                {"nonce": item.nonce, "status": 422, "message": _("Please correct the errors below."), "errors": errors}
            )
        except HttpError as error:
            answers.append({"nonce": item.nonce, "status": error.status_code, "message": str(error)})
        else:
            answers.append(
                {"nonce": item.nonce, "status": 201 if created else 200, "checkin": _checkin_json(record, created)}
            )
    return answers


@router.get("/sites/{venue_id}/checkins", response={200: list[CheckInOut], **ERRORS})
def day_checkins(request: AuthedRequest, venue_id: int, day: Day | None = None) -> list[dict[str, Any]]:
    """A day's check-ins (today by default), masked, newest first."""
    venue = _venue(request, venue_id)
    start, end = day_bounds(day or timezone.localdate())
    records = CheckIn.objects.filter(venue=venue, at__gte=start, at__lt=end).select_related("venue__site")[:2000]
    return [_checkin_json(r, False) for r in records]


class OverdueOut(Schema):
    kind: str
    due: str
    staff: str | None
    text: str


@router.get("/sites/{venue_id}/overdue", response={200: list[OverdueOut], **ERRORS})
def overdue(request: AuthedRequest, venue_id: int) -> list[dict[str, Any]]:
    """Staff temperatures and disinfection rounds that are due and not recorded."""
    venue = _venue(request, venue_id)
    return [
        {"kind": o.kind, "due": o.due.strftime("%H:%M"), "staff": str(o.who) if o.who else None, "text": o.text}
        for o in logs.overdue(venue)
    ]


class StaffTemperatureIn(Schema):
    staff_id: int
    temperature: float


class DisinfectionIn(Schema):
    areas: str = Field(..., min_length=1, max_length=200)
    done_by: str = Field(..., min_length=1, max_length=40)
    disinfectant: str = ""


@router.post(
    "/sites/{venue_id}/staff-temperatures", response={201: dict[str, Any], **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def staff_temperature(request: AuthedRequest, venue_id: int, payload: StaffTemperatureIn) -> Status[Any]:
    """A staff member's reading (idempotent with `Idempotency-Key`)."""
    venue = _venue(request, venue_id)
    staff = next((u for u in logs.roster(venue) if u.pk == payload.staff_id), None)
    if staff is None:
        raise HttpError(422, _("This person is not on this site's staff."))

    def act() -> tuple[int, Any]:
        entry = logs.record_staff_temperature(request.user, venue, staff, payload.temperature)
        late = logs.late_for(venue, entry.taken_at)
        return 201, {
            "id": entry.pk,
            "taken_at": entry.taken_at.isoformat(),
            "temperature": str(entry.temperature),
            "fever": entry.fever,  # at or above the site's bar: record what was done on the hygiene log
            "late_for": late.strftime("%H:%M") if late else None,
        }

    return respond_once(request, payload.dict(), act)


@router.post(
    "/sites/{venue_id}/disinfections", response={201: dict[str, Any], **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def disinfection(request: AuthedRequest, venue_id: int, payload: DisinfectionIn) -> Status[Any]:
    """A disinfection round (idempotent with `Idempotency-Key`)."""
    venue = _venue(request, venue_id)

    def act() -> tuple[int, Any]:
        entry = logs.record_disinfection(request.user, venue, **payload.dict())
        return 201, {"id": entry.pk, "done_at": entry.done_at.isoformat()}

    return respond_once(request, payload.dict(), act)


@router.get("/visit/{token}", response={200: VenueOut, **LINK_ERRORS}, auth=None)
def visit_policy(request: HttpRequest, token: str) -> dict[str, Any]:
    """What a venue code asks: the site and the policy in force (no account needed)."""
    return _venue_json(_venue_of_token(token))


@router.post("/visit/{token}", response={200: CheckInOut, 201: CheckInOut, **LINK_ERRORS}, auth=None)
def visit(request: HttpRequest, token: str, payload: CheckInIn) -> Status[Any]:
    """A visitor checks in with the venue code (a mini-program or an app on their phone).
    `at` is ignored: a visitor checks in now. Resending the same nonce answers 200 with the
    first record (and counts against no limit); a new one answers 201, or 429 when the venue's
    or this address's check-ins for the minute are used up."""
    venue = _venue_of_token(token)
    payload.at = None
    record, created = _record(None, venue, payload, Channel.PHONE, client_ip(request))
    return Status(201 if created else 200, _checkin_json(record, created))


def _venue_of_token(token: str) -> Venue:
    try:
        return venues.read_venue_token(token)
    except PermissionDenied as denied:
        raise HttpError(403, str(denied)) from None
