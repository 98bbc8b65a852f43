"""Power API: accounts (mobiles masked), applications and their steps (the one-call
restoration from a call-centre system), the hall's queue for ticket machines and window
terminals, and the priority line's revisits. Writes take `Idempotency-Key`: a resent request
acts once."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from fugong.accounts.permissions import require
from fugong.core.api import ERRORS, IDEMPOTENT, WRITE_ERRORS, respond_once
from fugong.core.api_types import Day
from fugong.core.http import AuthedRequest
from fugong.core.masking import mask_mobile, mask_name
from fugong.screening.models import CheckIn

from . import queries
from .access import may_serve
from .models import CapacityApplication, Ticket, Window
from .models.applications import RequestChannel
from .services import applications, hall, priority

router = Router(tags=["power"])


class AccountOut(Schema):
    id: int
    number: str
    holder: str
    kind: str
    voltage: str
    billing: str
    industry: str
    capacity_kva: int
    town: str
    supply_station: str
    mobile: str  # masked


class SavingOut(Schema):
    days: int
    amount: Decimal | None


class ApplicationOut(Schema):
    id: int
    account: str
    kind: str
    status: str
    capacity_kva: int
    start_on: date
    end_on: date | None
    restore_on: date | None
    by_the_day: bool
    extensions: int
    saving: SavingOut | None


class ApplicationIn(Schema):
    kind: str
    capacity_kva: int
    start_on: Day
    end_on: Day | None = None
    channel: str = RequestChannel.PHONE
    note: str = ""


class RejectIn(Schema):
    reason: str = Field(max_length=200)


class RestorationIn(Schema):
    restore_on: Day | None = None
    note: str = Field("", max_length=200)


class TicketIn(Schema):
    kind: str
    priority: bool = False
    checkin: UUID | None = None  # the admission's public id, where the door is screened
    nonce: str = Field("", max_length=64)


class TicketOut(Schema):
    id: str
    code: str
    kind: str
    status: str
    priority: bool
    window: int | None
    ahead: int


class WindowOut(Schema):
    number: int
    current: str | None


class HallOut(Schema):
    windows: list[WindowOut]
    waiting: dict[str, int]
    recent: list[TicketOut]


class RevisitOut(Schema):
    id: int
    resident: str  # masked
    town: str
    due_on: date
    overdue: bool


class RevisitIn(Schema):
    outcome: str
    next_on: Day | None = None


def _account_json(account: Any) -> dict[str, Any]:
    return {
        "id": account.pk,
        "number": account.number,
        "holder": account.holder,
        "kind": account.kind,
        "voltage": account.voltage,
        "billing": account.billing,
        "industry": account.industry,
        "capacity_kva": account.capacity_kva,
        "town": account.region.name,
        "supply_station": account.supply_station,
        "mobile": mask_mobile(account.mobile),
    }


def _application_json(application: CapacityApplication) -> dict[str, Any]:
    saving = applications.saving_of(application)
    return {
        "id": application.pk,
        "account": application.account.number,
        "kind": application.kind,
        "status": application.status,
        "capacity_kva": application.capacity_kva,
        "start_on": application.start_on,
        "end_on": application.end_on,
        "restore_on": application.restore_on,
        "by_the_day": application.by_the_day,
        "extensions": application.extensions,
        "saving": {"days": saving.days, "amount": saving.amount} if saving is not None else None,
    }


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": str(ticket.public_id),
        "code": ticket.code,
        "kind": ticket.kind,
        "status": ticket.status,
        "priority": ticket.priority,
        "window": ticket.window.number if ticket.window else None,
        "ahead": hall.waiting_before(ticket),
    }


@router.get("/accounts", response={200: list[AccountOut], **ERRORS})
def account_list(request: AuthedRequest, q: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """Accounts the caller may read, searched by number, holder or pinyin (at most 200)."""
    qs = queries.search_accounts(queries.visible_accounts(request.user), q).order_by("number")
    return [_account_json(a) for a in qs[: max(1, min(limit, 200))]]


@router.get("/applications", response={200: list[ApplicationOut], **ERRORS})
def application_list(request: AuthedRequest, status: str = "", account: str = "") -> list[dict[str, Any]]:
    qs = queries.visible_applications(request.user)
    if status:
        qs = qs.filter(status=status)
    if account:
        qs = qs.filter(account__number=account)
    return [_application_json(a) for a in qs[:200]]


@router.post(
    "/accounts/{account_id}/applications", response={201: ApplicationOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def apply(request: AuthedRequest, account_id: int, payload: ApplicationIn) -> Status[Any]:
    """Take a suspension or capacity reduction (the enterprise gets an SMS)."""
    account = get_object_or_404(queries.visible_accounts(request.user), pk=account_id)

    def act() -> tuple[int, Any]:
        application = applications.apply(request.user, account, **payload.dict())
        return 201, _application_json(application)

    return respond_once(request, payload.dict(), act)


def _application(request: AuthedRequest, application_id: int) -> CapacityApplication:
    return get_object_or_404(queries.visible_applications(request.user), pk=application_id)


@router.post(
    "/applications/{application_id}/approve", response={200: ApplicationOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def approve(request: AuthedRequest, application_id: int) -> Status[Any]:
    application = _application(request, application_id)

    def act() -> tuple[int, Any]:
        return 200, _application_json(applications.approve(request.user, application))

    return respond_once(request, {"approve": application_id}, act)


@router.post(
    "/applications/{application_id}/reject", response={200: ApplicationOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def reject(request: AuthedRequest, application_id: int, payload: RejectIn) -> Status[Any]:
    application = _application(request, application_id)

    def act() -> tuple[int, Any]:
        return 200, _application_json(applications.reject(request.user, application, payload.reason))

    return respond_once(request, {"reject": application_id, **payload.dict()}, act)


@router.post(
    "/applications/{application_id}/restoration",
    response={200: ApplicationOut, **WRITE_ERRORS},
    openapi_extra=IDEMPOTENT,
)
def request_restoration(request: AuthedRequest, application_id: int, payload: RestorationIn) -> Status[Any]:
    """The one phone call: restoration requested, field order to the station, SMS."""
    application = _application(request, application_id)

    def act() -> tuple[int, Any]:
        done = applications.request_restoration(request.user, application, **payload.dict())
        return 200, _application_json(done)

    return respond_once(request, {"restoration": application_id, **payload.dict()}, act)


@router.post(
    "/applications/{application_id}/restored", response={200: ApplicationOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def complete_restoration(request: AuthedRequest, application_id: int) -> Status[Any]:
    application = _application(request, application_id)

    def act() -> tuple[int, Any]:
        return 200, _application_json(applications.complete_restoration(request.user, application))

    return respond_once(request, {"restored": application_id}, act)


@router.post("/halls/{site_id}/tickets", response={201: TicketOut, 200: TicketOut, **WRITE_ERRORS})
def take_ticket(request: AuthedRequest, site_id: int, payload: TicketIn) -> Status[Any]:
    """A ticket machine or door staff give a number; a resent nonce returns the same one."""
    site = get_object_or_404(queries.hall_sites(request.user), pk=site_id)
    require(may_serve(request.user, site.organisation))
    checkin = None
    if payload.checkin:
        checkin = get_object_or_404(CheckIn, public_id=payload.checkin, venue__site=site)
    ticket, created = hall.take_ticket(
        request.user, site, payload.kind, checkin=checkin, priority=payload.priority, nonce=payload.nonce
    )
    return Status(201 if created else 200, _ticket_json(ticket))


@router.get("/halls/{site_id}/state", response={200: HallOut, **ERRORS})
def hall_state(request: AuthedRequest, site_id: int) -> dict[str, Any]:
    """What the hall screen shows: each window's number, waiting per business, recent calls."""
    site = get_object_or_404(queries.hall_sites(request.user), pk=site_id)
    state = queries.hall_state(site)
    return {
        "windows": [
            {"number": w.window.number, "current": w.current.code if w.current else None} for w in state.windows
        ],
        "waiting": state.waiting,
        "recent": [_ticket_json(t) for t in state.recent],
    }


def _window(request: AuthedRequest, window_id: int) -> Window:
    windows = Window.objects.filter(site__in=queries.hall_sites(request.user))  # another company's: 404
    window = get_object_or_404(windows.select_related("site__organisation"), pk=window_id)
    if not may_serve(request.user, window.site.organisation):
        raise PermissionDenied
    return window


@router.post("/windows/{window_id}/next", response={200: TicketOut, 204: None, **WRITE_ERRORS})
def call_next(request: AuthedRequest, window_id: int) -> Status[Any]:
    """Call the next number for this window (204 when nobody waits)."""
    window = _window(request, window_id)
    ticket = hall.call_next(request.user, window)
    return Status(204, None) if ticket is None else Status(200, _ticket_json(ticket))


@router.post("/windows/{window_id}/finish", response={200: TicketOut, **WRITE_ERRORS})
def finish(request: AuthedRequest, window_id: int, served: bool = True) -> dict[str, Any]:
    """The number at the window was served (or did not come)."""
    window = _window(request, window_id)
    current = hall.current_ticket(window)
    if current is None:
        raise Http404
    return _ticket_json(hall.finish(request.user, current, served=served))


@router.get("/revisits", response={200: list[RevisitOut], **ERRORS})
def revisits(request: AuthedRequest, overdue: bool = False) -> list[dict[str, Any]]:
    """Revisits not yet done, the earliest first; `overdue=true` only those past their day."""
    today = timezone.localdate()
    qs = queries.open_revisits(request.user)
    if overdue:
        qs = qs.filter(due_on__lt=today)
    return [
        {
            "id": r.pk,
            "resident": mask_name(r.resident.name),
            "town": r.resident.region.name,
            "due_on": r.due_on,
            "overdue": priority.is_overdue(r, today),
        }
        for r in qs[:200]
    ]


@router.post("/revisits/{revisit_id}/done", response={200: RevisitOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def revisit_done(request: AuthedRequest, revisit_id: int, payload: RevisitIn) -> Status[Any]:
    def act() -> tuple[int, Any]:
        # Looked up here: a resend finds the first answer, not a revisit that is no longer open.
        revisit = get_object_or_404(queries.open_revisits(request.user), pk=revisit_id)
        done, _following = priority.complete_revisit(request.user, revisit, **payload.dict())
        body = {
            "id": done.pk,
            "resident": mask_name(done.resident.name),
            "town": done.resident.region.name,
            "due_on": done.due_on,
            "overdue": False,
        }
        return 200, body

    return respond_once(request, {"revisit": revisit_id, **payload.dict()}, act)
