"""Suspensions and capacity reductions, from application to restoration, each step telling
the enterprise by SMS.

    applied ──approve──> approved ──start day──> in effect ──one call──> restoration requested
       │                    │                      │  ▲                        │
     reject              (start day              end day: extended while      field work done
       ▼                  already here)          the relaxation lasts,        ▼
    rejected                                     else ended ─────────────> restored

Under the epidemic relaxation an application runs by the day, from one day on, and one in
effect is extended before it ends; otherwise the company's minimum period and yearly maximum
apply. The daily job (`run_daily`) starts, extends and ends applications.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.transactions import durable
from fugong.directory.models import Organisation

from .. import charges, queries
from ..access import may_administer, may_serve
from ..models import (
    AccountKind,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    Billing,
    CapacityApplication,
    CapacityTariff,
    FieldOrder,
    PowerAccount,
    Step,
    SuspensionRules,
)
from ..models.applications import HOLDING, OPEN, RequestChannel
from . import telling

Status = ApplicationStatus


def rules_of(organisation_id: int) -> SuspensionRules:
    """The company's rules, or the national defaults while it has set none."""
    return SuspensionRules.objects.filter(organisation_id=organisation_id).first() or SuspensionRules(
        organisation_id=organisation_id
    )


def relaxation_on(rules: SuspensionRules, day: date) -> bool:
    """Whether the epidemic relaxation (by the day, automatic extension) applies on a day."""
    if rules.epidemic_from is None or day < rules.epidemic_from:
        return False
    return rules.epidemic_until is None or day <= rules.epidemic_until


def price_lookup(organisation_id: int) -> Any:
    tariffs = list(
        CapacityTariff.objects.filter(organisation_id=organisation_id)
        .order_by("-effective_from")
        .values_list("effective_from", "price")
    )

    def price_on(day: date) -> Decimal | None:
        return next((price for start, price in tariffs if start <= day), None)

    return price_on


def saving_of(application: CapacityApplication, as_of: date | None = None) -> charges.Saving | None:
    """The capacity charge not due: for the whole period, or so far for an open-ended one.
    None for accounts without a capacity charge (single tariff)."""
    if application.account.billing != Billing.TWO_PART or application.status == Status.REJECTED:
        return None
    last = application.last_day_out
    if last is None:
        last = as_of or timezone.localdate()
    if last < application.start_on:
        return charges.Saving([])
    return charges.saving(
        application.capacity_kva, application.start_on, last, price_lookup(application.account.organisation_id)
    )


def _require_staff(actor: User | None, account: PowerAccount) -> None:
    if not may_serve(actor, account.organisation):
        raise PermissionDenied(_("Only the power company's staff may handle applications."))


def _step(
    application: CapacityApplication,
    step: str,
    actor: User | None,
    *,
    detail: str = "",
    channel: str = "",
    sms_kind: str = "",
    **sms: Any,
) -> ApplicationEvent:
    sent = telling.tell(actor, application, sms_kind, **sms) if sms_kind else False
    return ApplicationEvent.objects.create(
        application=application,
        at=timezone.now(),
        step=step,
        detail=detail,
        channel=channel,
        actor=actor,
        sms_sent=sent,
    )


def _until_text(application: CapacityApplication) -> str:
    if application.end_on is None:
        return "直至申请恢复"
    return f"至{telling.day_text(application.end_on)}"


def _held_kva(account: PowerAccount, start: date, end: date | None) -> int:
    """Capacity already out of service (or applied for) on some day of [start, end]."""
    others = CapacityApplication.objects.filter(account=account, status__in=OPEN)
    held = 0
    for other in others:
        other_last = other.last_day_out
        if (end is None or other.start_on <= end) and (other_last is None or other_last >= start):
            held += other.capacity_kva
    return held


def _suspended_days_in_year(account: PowerAccount, year: int) -> int:
    total = 0
    qs = CapacityApplication.objects.filter(account=account, kind=ApplicationKind.SUSPENSION).exclude(
        status=Status.REJECTED
    )
    for other in qs:
        last = other.last_day_out or date(year, 12, 31)
        first, last = max(other.start_on, date(year, 1, 1)), min(last, date(year, 12, 31))
        total += max(0, (last - first).days + 1)
    return total


def check_period(account: PowerAccount, kind: str, capacity_kva: int, start_on: date, end_on: date | None) -> bool:
    """Raise ValidationError (by field) if the period breaks a rule; return whether it runs
    by the day under the relaxation."""
    rules = rules_of(account.organisation_id)
    by_the_day = relaxation_on(rules, start_on)
    errors: dict[str, str] = {}
    if end_on is not None and end_on < start_on:
        errors["end_on"] = _("The last day cannot be before the first.")
    free = account.capacity_kva - _held_kva(account, start_on, end_on)
    if capacity_kva < 1:
        errors["capacity_kva"] = _("Enter the capacity taken out, in kVA.")
    elif capacity_kva > free:
        errors["capacity_kva"] = _("At most %(free)d kVA can be taken out (contracted %(total)d kVA).") % {
            "free": max(free, 0),
            "total": account.capacity_kva,
        }
    elif kind == ApplicationKind.REDUCTION and capacity_kva == account.capacity_kva:
        # The whole contract out: that is a suspension, with its own rules and its own bill.
        errors["capacity_kva"] = _(
            "Taking out all %(kva)d kVA of the contract is a suspension, not a reduction: "
            "apply for a suspension instead, or take out less."
        ) % {"kva": capacity_kva}
    if not by_the_day and "end_on" not in errors:
        if end_on is None and kind == ApplicationKind.SUSPENSION:
            errors["end_on"] = _("Outside the epidemic relaxation a suspension needs its last day.")
        elif end_on is not None and (end_on - start_on).days + 1 < rules.min_days:
            errors["end_on"] = _("Outside the epidemic relaxation the shortest period is %(n)d days.") % {
                "n": rules.min_days
            }
        elif kind == ApplicationKind.SUSPENSION and end_on is not None:
            used = _suspended_days_in_year(account, start_on.year)
            asked = (min(end_on, date(start_on.year, 12, 31)) - start_on).days + 1
            if used + asked > rules.max_days_per_year:
                errors["end_on"] = _(
                    "This would suspend %(total)d days in %(year)d; at most %(max)d days a year are allowed."
                ) % {"total": used + asked, "year": start_on.year, "max": rules.max_days_per_year}
    if errors:
        raise ValidationError(errors)
    return by_the_day


@durable
def apply(
    actor: User | None,
    account: PowerAccount,
    *,
    kind: str,
    capacity_kva: int,
    start_on: date,
    end_on: date | None = None,
    channel: str = RequestChannel.COUNTER,
    note: str = "",
) -> CapacityApplication:
    """Take an enterprise's application (at the counter or on the phone)."""
    _require_staff(actor, account)
    account = PowerAccount.objects.select_for_update().get(pk=account.pk)  # one application at a time per account
    if account.kind != AccountKind.ENTERPRISE or not account.is_active:
        raise ValidationError(_("Only an active enterprise account can suspend or reduce capacity."))
    if actor is not None and start_on < timezone.localdate():
        raise ValidationError({"start_on": _("The first day cannot be in the past.")})
    by_the_day = check_period(account, kind, capacity_kva, start_on, end_on)
    application = CapacityApplication(
        account=account,
        kind=kind,
        capacity_kva=capacity_kva,
        start_on=start_on,
        end_on=end_on,
        channel=channel,
        by_the_day=by_the_day,
        note=note,
        applied_at=timezone.now(),
        applied_by=actor,
    )
    application.full_clean()
    application.save()
    _step(
        application,
        Step.APPLIED,
        actor,
        sms_kind=telling.RECEIVED,
        start=telling.day_text(start_on),
        kva=capacity_kva,
        until=_until_text(application),
    )
    audit.record(
        actor,
        "power.application.create",
        application,
        changes={"kind": [None, kind], "capacity_kva": [None, capacity_kva], "start_on": [None, str(start_on)]},
        organisation_id=account.organisation_id,
    )
    return application


def _lock(application: CapacityApplication) -> CapacityApplication:
    """The application's row as it is now, locked until the transaction ends."""
    locked = CapacityApplication.objects.select_for_update(of=("self",)).select_related("account__organisation")
    return locked.get(pk=application.pk)


def _locked(application: CapacityApplication, allowed: tuple[str, ...], message: str) -> CapacityApplication:
    application = _lock(application)
    if application.status not in allowed:
        raise ValidationError(message)
    return application


def _set_status(application: CapacityApplication, status: str, actor: User | None, **fields: Any) -> None:
    before = application.status
    application.status = status
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["status", *fields])
    audit.record(
        actor,
        f"power.application.{status}",
        application,
        changes={"status": [before, status]},
        organisation_id=application.account.organisation_id,
    )


@durable
def approve(actor: User | None, application: CapacityApplication) -> CapacityApplication:
    application = _locked(
        application, (Status.APPLIED,), _("Only an application waiting for a decision can be approved.")
    )
    _require_staff(actor, application.account)
    _set_status(application, Status.APPROVED, actor, decided_at=timezone.now(), decided_by=actor)
    _step(
        application,
        Step.APPROVED,
        actor,
        sms_kind=telling.APPROVED,
        start=telling.day_text(application.start_on),
        kva=application.capacity_kva,
        until=_until_text(application),
    )
    if application.start_on <= timezone.localdate():
        _start(application, actor)
    return application


@durable
def reject(actor: User | None, application: CapacityApplication, reason: str) -> CapacityApplication:
    application = _locked(
        application, (Status.APPLIED,), _("Only an application waiting for a decision can be rejected.")
    )
    _require_staff(actor, application.account)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the enterprise why.")})
    _set_status(
        application, Status.REJECTED, actor, decided_at=timezone.now(), decided_by=actor, rejection_reason=reason
    )
    _step(application, Step.REJECTED, actor, detail=reason, sms_kind=telling.REJECTED, reason=reason)
    return application


def _start(application: CapacityApplication, actor: User | None) -> None:
    _set_status(application, Status.IN_EFFECT, actor)
    _step(application, Step.STARTED, actor)


@durable
def request_restoration(
    actor: User | None,
    application: CapacityApplication,
    *,
    restore_on: date | None = None,
    channel: str = RequestChannel.PHONE,
    note: str = "",
) -> CapacityApplication:
    """The one phone call: the request is recorded, the station gets the field order, and the
    enterprise is told when supply comes back. Nothing else is asked of them."""
    application = _locked(
        application, (Status.IN_EFFECT,), _("Only a suspension or reduction in effect can be restored.")
    )
    _require_staff(actor, application.account)
    today = timezone.localdate()
    restore_on = restore_on or today
    if restore_on < today:
        raise ValidationError({"restore_on": _("Supply cannot come back on a day that has passed.")})
    if restore_on <= application.start_on:
        raise ValidationError({"restore_on": _("Supply comes back at the earliest the day after the first day.")})
    if application.end_on is not None and restore_on > application.end_on + timedelta(days=1):
        raise ValidationError({"restore_on": _("The period ends earlier; supply comes back by itself then.")})
    _set_status(
        application,
        Status.RESTORATION_REQUESTED,
        actor,
        restore_on=restore_on,
        restoration_requested_at=timezone.now(),
    )
    station = application.account.supply_station
    FieldOrder.objects.create(
        application=application, station=station, due_on=restore_on, created_at=timezone.now(), note=note
    )
    _step(
        application,
        Step.RESTORATION_REQUESTED,
        actor,
        detail=note[:200],
        channel=channel,
        sms_kind=telling.RESTORATION_RECEIVED,
        station=station,
        day=telling.day_text(restore_on),
    )
    return application


@durable
def dispatch_field_order(actor: User | None, order: FieldOrder, worker: User) -> FieldOrder:
    """The station sends someone; the enterprise hears who and when."""
    if order.application is None:
        raise ValidationError(_("This is a repair order: it is sent from the priority call."))
    application = _locked(
        order.application, (Status.RESTORATION_REQUESTED,), _("This restoration is no longer waiting for field work.")
    )
    _require_staff(actor, application.account)
    if not may_serve(worker, application.account.organisation):
        raise ValidationError({"worker": _("Choose someone of the power company.")})
    workers, is_crew = queries.dispatchable(application.account.organisation, order.station)
    if is_crew and not workers.filter(pk=worker.pk).exists():
        raise ValidationError(
            {"worker": _("Choose someone of the field crew of %(station)s.") % {"station": order.station}}
        )
    order = FieldOrder.objects.select_for_update().get(pk=order.pk)
    order.assignee = worker
    order.save(update_fields=["assignee"])
    name = worker.get_full_name()
    _step(
        application,
        Step.DISPATCHED,
        actor,
        detail=name,
        sms_kind=telling.RESTORATION_DISPATCHED,
        station=order.station,
        worker=name,
        day=telling.day_text(order.due_on),
    )
    return order


@durable
def complete_restoration(actor: User | None, application: CapacityApplication, note: str = "") -> CapacityApplication:
    """The field work is done: supply is back, and the enterprise learns what it saved."""
    application = _locked(
        application, (Status.RESTORATION_REQUESTED,), _("Restoration was not requested or is already done.")
    )
    _require_staff(actor, application.account)
    now = timezone.now()
    _set_status(application, Status.RESTORED, actor, restored_at=now)
    FieldOrder.objects.filter(application=application, done_at__isnull=True).update(
        done_at=now, done_by=actor, note=note[:200]
    )
    _step(application, Step.RESTORED, actor, detail=note[:200], sms_kind=telling.RESTORED, **_saving_sms(application))
    return application


def _saving_sms(application: CapacityApplication) -> dict[str, Any]:
    last = application.last_day_out
    assert last is not None
    found = saving_of(application)
    amount = found.amount if found is not None else None
    return {
        "start": telling.day_text(application.start_on),
        "last": telling.day_text(last),
        "days": (last - application.start_on).days + 1,
        "kva": application.capacity_kva,
        "amount": f"，约{amount}元" if amount else "",
    }


@durable
def _start_due(application: CapacityApplication, today: date) -> bool:
    application = _lock(application)
    if application.status != Status.APPROVED or application.start_on > today:
        return False  # decided otherwise since it was listed
    _start(application, None)
    return True


@durable
def _extend(application: CapacityApplication, rules: SuspensionRules, today: date) -> bool:
    application = _lock(application)
    tomorrow = today + timedelta(days=1)
    if application.status != Status.IN_EFFECT or application.end_on is None or application.end_on > tomorrow:
        return False  # restored or changed since it was listed
    new_end = application.end_on
    while new_end <= tomorrow:  # a worker that was down catches up in one step
        new_end += timedelta(days=rules.extension_days)
    application.end_on, application.extensions = new_end, application.extensions + 1
    application.save(update_fields=["end_on", "extensions"])
    _step(
        application,
        Step.EXTENDED,
        None,
        detail=str(new_end),
        sms_kind=telling.EXTENDED,
        end=telling.day_text(new_end),
    )
    audit.record(
        None,
        "power.application.extended",
        application,
        changes={"end_on": [None, str(new_end)]},
        organisation_id=application.account.organisation_id,
    )
    return True


@durable
def _end(application: CapacityApplication, today: date) -> bool:
    application = _lock(application)
    if application.status != Status.IN_EFFECT or application.end_on is None or application.end_on >= today:
        return False
    restore_on = application.end_on + timedelta(days=1)
    _set_status(application, Status.RESTORED, None, restore_on=restore_on, restored_at=timezone.now())
    _step(
        application,
        Step.ENDED,
        None,
        sms_kind=telling.ENDED,
        end=telling.day_text(application.end_on),
        restore=telling.day_text(restore_on),
    )
    return True


def run_daily(today: date | None = None) -> dict[str, int]:
    """Start approved applications on their first day. While a company's relaxation lasts,
    extend those in effect whose last day is tomorrow or today, so none lapses and the
    enterprise hears a day ahead; otherwise end them after their last day. Each application
    in its own transaction, so one failure does not hold back the rest."""
    today = today or timezone.localdate()
    approved = CapacityApplication.objects.filter(status=Status.APPROVED, start_on__lte=today).order_by("pk")
    started = sum(_start_due(application, today) for application in approved)
    extended = ended = 0
    due = CapacityApplication.objects.filter(status=Status.IN_EFFECT, end_on__lte=today + timedelta(days=1))
    rules: dict[int, SuspensionRules] = {}
    for application in due.select_related("account").order_by("pk"):
        company = application.account.organisation_id
        rules.setdefault(company, rules_of(company))
        if relaxation_on(rules[company], today):
            extended += _extend(application, rules[company], today)
        else:
            ended += _end(application, today)
    return {"started": started, "extended": extended, "ended": ended}


def held_capacity(account: PowerAccount, day: date) -> int:
    """kVA out of service on a day (for the account page)."""
    total = 0
    for application in CapacityApplication.objects.filter(account=account, status__in=HOLDING, start_on__lte=day):
        last = application.last_day_out
        if last is None or last >= day:
            total += application.capacity_kva
    return total


RULE_FIELDS = ("min_days", "max_days_per_year", "epidemic_from", "epidemic_until", "extension_days")


@durable
def save_rules(actor: User | None, organisation: Organisation, **fields: Any) -> SuspensionRules:
    """Set the company's rules; starting or ending the relaxation is a date here."""
    if not may_administer(actor, organisation):
        raise PermissionDenied
    rules = SuspensionRules.objects.select_for_update().filter(organisation=organisation).first()
    rules = rules or SuspensionRules(organisation=organisation)
    before = audit.snapshot(rules, RULE_FIELDS) if rules.pk else {}
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise TypeError(name)
        setattr(rules, name, value)
    if rules.epidemic_until is not None and rules.epidemic_from is None:
        raise ValidationError({"epidemic_from": _("Give the first day of the relaxation.")})
    if rules.epidemic_from and rules.epidemic_until and rules.epidemic_until < rules.epidemic_from:
        raise ValidationError({"epidemic_until": _("The relaxation cannot end before it begins.")})
    rules.full_clean()
    rules.save()
    audit.record(
        actor,
        "power.rules.save",
        rules,
        changes=audit.diff(before, audit.snapshot(rules, RULE_FIELDS)),
        organisation_id=organisation.pk,
    )
    return rules


@durable
def set_tariff(
    actor: User | None, organisation: Organisation, *, effective_from: date, price: Decimal
) -> CapacityTariff:
    """A capacity price from a day on; a price already in force is not rewritten."""
    if not may_administer(actor, organisation):
        raise PermissionDenied
    if actor is not None and effective_from < timezone.localdate().replace(day=1):
        raise ValidationError({"effective_from": _("A price for a month that has begun cannot be changed.")})
    tariff, _created = CapacityTariff.objects.update_or_create(
        organisation=organisation, effective_from=effective_from, defaults={"price": price}
    )
    audit.record(
        actor,
        "power.tariff.set",
        tariff,
        changes={"price": [None, str(price)], "effective_from": [None, str(effective_from)]},
        organisation_id=organisation.pk,
    )
    return tariff
