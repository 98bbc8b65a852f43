"""The priority line (亲情2号键): one key on an old person's phone brings someone home, and
someone comes back a fortnight later to check. Revisits are done, never dropped."""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.transactions import durable
from fugong.core.validators import clean_phone, is_mobile, national_phone
from fugong.directory.models import Organisation
from fugong.volunteers.models import Member

from .. import queries
from ..access import may_serve
from ..models import (
    REPAIR_KINDS,
    CallKind,
    CallStatus,
    FieldOrder,
    HomeVisit,
    PriorityCall,
    Resident,
    Revisit,
    Urgency,
    default_urgency,
)
from . import telling

REVISIT_AFTER = timedelta(days=14)
RESIDENT_FIELDS = ("name", "kind", "phone", "address", "region", "contact_name", "contact_phone", "account", "note")


def _require(actor: User | None, organisation: Organisation) -> None:
    if not may_serve(actor, organisation):
        raise PermissionDenied(_("Only the power company's staff may handle the priority line."))


def _clean_phones(fields: dict[str, Any]) -> None:
    errors = {}
    for name in ("phone", "contact_phone"):
        value = (fields.get(name) or "").strip()
        if value:
            try:
                fields[name] = clean_phone(value)
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


@durable
def save_resident(
    actor: User | None, organisation: Organisation, resident: Resident | None = None, **fields: Any
) -> Resident:
    """Register someone for the priority line, or change their details. The audit log notes
    which fields changed, never their values (personal data)."""
    _require(actor, organisation)
    creating = resident is None
    resident = resident or Resident(organisation=organisation, registered_on=timezone.localdate())
    if resident.erased:
        raise ValidationError(_("This registration has ended and its personal data were erased."))
    _clean_phones(fields)
    changed = [name for name in RESIDENT_FIELDS if name in fields and getattr(resident, name, None) != fields[name]]
    for name, value in fields.items():
        setattr(resident, name, value)
    if resident.account is not None and resident.account.organisation_id != organisation.pk:
        raise ValidationError({"account": _("This account belongs to another company.")})
    resident.full_clean()
    resident.save()
    audit.record(
        actor,
        "power.resident.create" if creating else "power.resident.update",
        resident,
        changes={name: ["***", "***"] for name in changed},
        organisation_id=organisation.pk,
    )
    return resident


@durable
def end_registration(actor: User | None, resident: Resident, day: date | None = None) -> Resident:
    """Moved away or passed on: no more calls; open revisits still have to be done."""
    _require(actor, resident.organisation)
    resident.ended_on = day or timezone.localdate()
    if resident.ended_on < resident.registered_on:
        raise ValidationError({"ended_on": _("The registration cannot end before it began.")})
    resident.full_clean()
    resident.save(update_fields=["ended_on"])
    audit.record(actor, "power.resident.end", resident, organisation_id=resident.organisation_id)
    return resident


@durable
def receive_call(
    actor: User | None,
    resident: Resident,
    *,
    need: str,
    kind: str = CallKind.OTHER,
    urgency: str = "",
    at: datetime | None = None,
) -> PriorityCall:
    """A call on the priority line becomes a ticket at the top of the list. Unless the person
    taking it says otherwise, no power or a hazard is urgent and anything else is not."""
    _require(actor, resident.organisation)
    if resident.ended_on is not None:
        raise ValidationError(_("This registration has ended."))
    if not need.strip():
        raise ValidationError({"need": _("Write down what is needed.")})
    call = PriorityCall(
        resident=resident,
        received_at=at or timezone.now(),
        received_by=actor,
        need=need.strip(),
        kind=kind,
        urgency=urgency or default_urgency(kind),
    )
    call.full_clean()
    call.save()
    audit.record(actor, "power.priority_call.create", call, organisation_id=resident.organisation_id)
    return call


@durable
def assign(
    actor: User | None, call: PriorityCall, *, user: User | None = None, member: Member | None = None
) -> PriorityCall:
    """Send a staff member, or a member of a volunteer team, to the resident."""
    call = _locked_open_call(actor, call)
    return _assign(actor, call, user, member)


def _locked_open_call(actor: User | None, call: PriorityCall) -> PriorityCall:
    call = PriorityCall.objects.select_for_update().select_related("resident__organisation").get(pk=call.pk)
    _require(actor, call.resident.organisation)
    if call.resident.erased:
        raise ValidationError(_("This registration has ended and its personal data were erased."))
    if call.status == CallStatus.VISITED:
        raise ValidationError(_("This call is closed: the visit is recorded."))
    return call


def _assign(actor: User | None, call: PriorityCall, user: User | None, member: Member | None) -> PriorityCall:
    if (user is None) == (member is None):
        raise ValidationError({"assignee": _("Choose one person to go.")})
    if user is not None and not may_serve(user, call.resident.organisation):
        raise ValidationError({"assignee": _("Choose someone of the power company.")})
    if member is not None and (member.left_on is not None or not member.mobile):
        raise ValidationError({"assignee": _("This volunteer cannot be reached.")})
    call.assigned_user, call.assigned_member, call.assigned_at = user, member, timezone.now()
    if call.status == CallStatus.OPEN:
        call.status = CallStatus.ASSIGNED
    call.helper_told, call.resident_told = _tell_assignment(actor, call)
    call.save(
        update_fields=["assigned_user", "assigned_member", "assigned_at", "status", "helper_told", "resident_told"]
    )
    audit.record(
        actor,
        "power.priority_call.assign",
        call,
        changes={"assignee": [None, str(user or member)]},
        organisation_id=call.resident.organisation_id,
    )
    return call


def _tell_assignment(actor: User | None, call: PriorityCall) -> tuple[bool, bool]:
    """SMS the helper where to go and what is needed, and the resident (or their contact, when
    the resident has only a landline) who is coming and how to reach them."""
    resident, company = call.resident, call.resident.organisation
    if call.assigned_user is not None:
        helper_name, helper_phone = call.assigned_user.get_full_name(), call.assigned_user.mobile or ""
    else:
        assert call.assigned_member is not None
        helper_name, helper_phone = call.assigned_member.name, call.assigned_member.mobile
    reachable = resident.phone or resident.contact_phone
    where = {
        "when": "立即" if call.urgency == Urgency.URGENT else "尽快",
        "resident": resident.name,
        "address": resident.address,
        "phone": national_phone(reachable) if reachable else "无",
        "need": call.need,
    }
    helper_told = telling.tell_mobile(actor, company, telling.PRIORITY_ASSIGNED, helper_phone, where)
    if not helper_phone:
        return helper_told, False  # nobody to tell the resident to expect a call from
    who = {"resident": resident.name, "helper": helper_name, "helper_phone": national_phone(helper_phone)}
    if is_mobile(resident.phone):
        return helper_told, telling.tell_mobile(actor, company, telling.PRIORITY_ON_THE_WAY, resident.phone, who)
    # A landline: the family contact is told, in words addressed to them, not to the resident.
    return helper_told, telling.tell_mobile(
        actor, company, telling.PRIORITY_ON_THE_WAY_CONTACT, resident.contact_phone, who
    )


@durable
def order_repair(actor: User | None, call: PriorityCall, worker: User) -> FieldOrder:
    """An urgent call about no power or a hazard becomes, in one step, a repair order for the
    field crew of the resident's supply station, and the call is assigned to the electrician
    sent (who gets the address by SMS; the resident, or their family, hears who is coming).
    Sent twice (a double click), it is refused the second time: a call has one order."""
    call = _locked_open_call(actor, call)
    company = call.resident.organisation
    if call.kind not in REPAIR_KINDS:
        raise ValidationError(_("Only a call about no power or a hazard becomes a repair order."))
    if FieldOrder.objects.filter(call=call).exists():
        raise ValidationError(_("This call already has a repair order."))
    station = queries.station_of(call.resident)
    if not station:
        raise ValidationError(
            _("The resident's supply station is not known: enter their power account number on their page.")
        )
    workers, is_crew = queries.dispatchable(company, station)
    if not workers.filter(pk=worker.pk).exists():
        message = _("Choose someone of the field crew of %(station)s.") % {"station": station}
        raise ValidationError({"worker": message if is_crew else _("Choose someone of the power company.")})
    now = timezone.now()
    order = FieldOrder.objects.create(
        call=call, station=station, assignee=worker, due_on=timezone.localdate(), created_at=now, note=call.need[:200]
    )
    _assign(actor, call, worker, None)
    audit.record(
        actor,
        "power.priority_call.repair_order",
        call,
        changes={"station": [None, station]},
        organisation_id=company.pk,
    )
    return order


@durable
def complete_repair(actor: User | None, order: FieldOrder, note: str = "") -> FieldOrder:
    """Supply is back at the resident's: the order is done and the home visit recorded (with
    the revisit a fortnight later, as after any visit)."""
    order = FieldOrder.objects.select_for_update(of=("self",)).select_related("call").get(pk=order.pk)
    if order.call is None:
        raise ValidationError(_("This is not a repair order."))
    _require(actor, order.call.resident.organisation)
    if order.done_at is not None:
        raise ValidationError(_("This repair is already done."))
    now = timezone.now()
    findings = note.strip() or _("Supply restored at the home.")
    order.done_at, order.done_by, order.note = now, actor, findings[:200]
    order.save(update_fields=["done_at", "done_by", "note"])
    if order.call.status != CallStatus.VISITED:
        _record_visit(actor, order.call, visited_at=now, visitor="", findings=findings, resolved=True)
    return order


@durable
def record_visit(
    actor: User | None,
    call: PriorityCall,
    *,
    visited_at: datetime,
    visitor: str,
    findings: str,
    resolved: bool = True,
    revisit_on: date | None = None,
) -> tuple[HomeVisit, Revisit]:
    """The home visit, and the revisit it always brings (a fortnight later unless set)."""
    return _record_visit(
        actor, call, visited_at=visited_at, visitor=visitor, findings=findings, resolved=resolved, revisit_on=revisit_on
    )


def _record_visit(
    actor: User | None,
    call: PriorityCall,
    *,
    visited_at: datetime,
    visitor: str,
    findings: str,
    resolved: bool = True,
    revisit_on: date | None = None,
) -> tuple[HomeVisit, Revisit]:
    call = PriorityCall.objects.select_for_update().select_related("resident__organisation").get(pk=call.pk)
    _require(actor, call.resident.organisation)
    errors = {}
    if visited_at > timezone.now() + timedelta(minutes=5):
        errors["visited_at"] = _("A visit cannot be recorded before it happens.")
    if not findings.strip():
        errors["findings"] = _("Write down what was found and done.")
    visit_day = timezone.localdate(visited_at)
    revisit_on = revisit_on or visit_day + REVISIT_AFTER
    if revisit_on <= visit_day:
        errors["revisit_on"] = _("The revisit comes after the visit.")
    if errors:
        raise ValidationError(errors)
    visit = HomeVisit.objects.create(
        call=call,
        visited_at=visited_at,
        visitor=visitor.strip() or str(call.assignee or actor or ""),
        findings=findings.strip(),
        resolved=resolved,
        recorded_by=actor,
    )
    revisit = Revisit.objects.create(call=call, resident=call.resident, due_on=revisit_on, created_at=timezone.now())
    if call.assigned_at is None:
        call.assigned_at = visited_at
    call.status = CallStatus.VISITED
    call.save(update_fields=["status", "assigned_at"])
    audit.record(
        actor,
        "power.home_visit.create",
        visit,
        changes={"revisit_on": [None, str(revisit_on)]},
        organisation_id=call.resident.organisation_id,
    )
    return visit, revisit


@durable
def complete_revisit(
    actor: User | None, revisit: Revisit, *, outcome: str, next_on: date | None = None
) -> tuple[Revisit, Revisit | None]:
    """Mark a revisit done with what was found; optionally schedule the next one."""
    revisit = Revisit.objects.select_for_update().select_related("resident__organisation").get(pk=revisit.pk)
    _require(actor, revisit.resident.organisation)
    if revisit.done_at is not None:
        raise ValidationError(_("This revisit is already done."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write down how the resident is doing.")})
    today = timezone.localdate()
    if next_on is not None and next_on <= today:
        raise ValidationError({"next_on": _("The next revisit must be on a later day.")})
    revisit.done_at, revisit.done_by, revisit.outcome = timezone.now(), actor, outcome.strip()
    revisit.save(update_fields=["done_at", "done_by", "outcome"])
    following = None
    if next_on is not None:
        following = Revisit.objects.create(
            call=revisit.call, resident=revisit.resident, due_on=next_on, created_at=timezone.now()
        )
    audit.record(
        actor,
        "power.revisit.done",
        revisit,
        changes={"next_on": [None, str(next_on) if next_on else None]},
        organisation_id=revisit.resident.organisation_id,
    )
    return revisit, following


def is_overdue(revisit: Revisit, today: date | None = None) -> bool:
    """Overdue from the day after it was due."""
    return revisit.done_at is None and revisit.due_on < (today or timezone.localdate())
