"""Checking people in: the visitor on their phone, staff at the door, offline scanners.

A check-in carries a nonce (the phone form's, or the scanner's own id for it): resending it
returns the first record and never counts the person twice. A phone's page opened again (Back
reloads it with a new nonce) is caught too: the same person at the same site within
`PHONE_REPEAT` gets their first result, not a second check-in.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core import throttle
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile, clean_resident_id

from .. import queries, rules
from ..access import may_screen
from ..models import Channel, CheckIn, CheckKind, Decision, Venue
from . import policies

CLOCK_SKEW = timedelta(minutes=5)  # a scanner's clock a little ahead is not an error
PHONE_REPEAT = timedelta(minutes=10)


class NonceConflict(Exception):
    """The nonce was already used for a check-in of somebody else."""


@dataclass(frozen=True)
class Visitor:
    """Who is checked: their mobile, or their ID number if they have no phone. A companion
    (a grandchild, a neighbour) may register someone else and gives their own mobile."""

    name: str
    mobile: str = ""
    id_number: str = ""
    companion_name: str = ""
    companion_mobile: str = ""

    def cleaned(self) -> "Visitor":
        errors: dict[str, list[str]] = {}
        values = {
            "name": self.name.strip(),
            "mobile": "",
            "id_number": "",
            "companion_name": self.companion_name.strip(),
            "companion_mobile": "",
        }
        for field, cleaner in (
            ("mobile", clean_mobile),
            ("id_number", clean_resident_id),
            ("companion_mobile", clean_mobile),
        ):
            raw = getattr(self, field).strip()
            if raw:
                try:
                    values[field] = cleaner(raw)
                except ValidationError as error:
                    errors[field] = error.messages
        if not values["name"]:
            errors["name"] = [_("Enter the name of the person checking in.")]
        elif len(values["name"]) > 40:
            errors["name"] = [_("A name has at most 40 characters.")]
        if not (self.mobile.strip() or self.id_number.strip()):
            errors.setdefault("mobile", []).append(
                _("Enter a mobile number, or an ID number for someone without a phone.")
            )
        if len(values["companion_name"]) > 40:
            errors["companion_name"] = [_("A name has at most 40 characters.")]
        if values["companion_name"] and not self.companion_mobile.strip():
            errors.setdefault("companion_mobile", []).append(_("Enter your mobile, so the site can reach you."))
        if self.companion_mobile.strip() and not values["companion_name"]:
            errors.setdefault("companion_name", []).append(_("Enter your own name."))
        if errors:
            raise ValidationError(errors)
        return Visitor(**values)

    def matches(self, record: CheckIn) -> bool:
        return (record.name, record.mobile, record.id_number) == (self.name, self.mobile, self.id_number)


def _moment(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": _("The check-in time is in the future; check the scanner's clock.")})
    if at < now - timedelta(days=settings.RETENTION_DAYS["checkins"]):
        raise ValidationError({"at": _("This check-in is older than the records kept; it was not recorded.")})
    return at


TRACE_LIMIT = 500  # one person's visits at every site over the retention period; more than anyone makes


def person_key(raw: str) -> str:
    """What a person is searched by: a mobile as stored (E.164), else an ID number as written."""
    try:
        return clean_mobile(raw.strip())
    except ValidationError:
        return raw.strip().upper()


@durable
def trace_person(
    actor: User, mobile_or_id: str, *, venue: Venue | None = None, exported: bool = False
) -> list[CheckIn]:
    """Contact tracing: one person's kept visits by full mobile or ID number, at every site
    whose visitors the actor may trace (or at one of them), newest first. Who searched, where,
    how many visits were found and whether they took them away as a file goes to the audit log
    (the number does not)."""
    venues = queries.traceable_venues(actor)
    if venue is not None:
        venues = venues.filter(pk=venue.pk)
    require(venues.exists())
    found = list(queries.search_person(venues, mobile_or_id).order_by("-at")[:TRACE_LIMIT])
    if venue is not None:
        audit.record(
            actor,
            "screening.person_traced",
            venue,
            changes={"found": len(found)},
            organisation_id=venue.site.organisation_id,
        )
    else:
        audit.record_about(
            actor,
            "screening.person_traced",
            "screening.venue",
            "",
            "contact tracing",
            changes={"found": len(found), "sites": len({r.venue_id for r in found})}
            | ({"exported": True} if exported else {}),
        )
    return found


class TooManyCheckIns(Exception):
    """A new check-in from a phone while the venue's or the address's limit is used up."""


def public_check_in_allowed(venue: Venue, address: str | None) -> bool:
    """Whether a new check-in without an account may go ahead now (and count it): each admitted
    visitor can take a hall number, so a flood of made-up visitors must not. The venue's own
    limit fits its crowd (a hall's queue, a factory gate at shift change); the address's stops
    one phone or script going through venue after venue."""
    limits = [throttle.Limit(f"checkin-venue:{venue.pk}", venue.checkins_per_minute, 60)]
    if address:
        limits.append(throttle.Limit(f"checkin-address:{address}", settings.PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE, 60))
    return throttle.take(*limits)


def too_many_check_ins() -> str:
    return _(
        "Too many check-ins here in the last minute. Please wait a minute and try again, or ask the staff at the door."
    )


def check_in(
    actor: User | None,
    venue: Venue,
    visitor: Visitor,
    answers: dict[str, Any],
    *,
    channel: Channel,
    nonce: str = "",
    at: datetime | None = None,
    address: str | None = None,
) -> tuple[CheckIn, bool]:
    """Judge the person by the policy in force at `at` and record it. Returns (record, created).

    What was answered before is answered again from its stored record, before anything that
    costs (the limits, the policy): a resent nonce (NonceConflict if it was used for someone
    else) and, from a phone, the same person here minutes ago. A resend that no longer passes
    (the policy changed since, the scanner's clock is now too old) still gets its first record.
    Only a new check-in from a phone counts against the venue's and the address's limits
    (TooManyCheckIns when one is used up): a resend records nothing and takes no hall number."""
    if channel != Channel.PHONE:
        require(may_screen(actor, venue))
    if not venue.is_active:
        raise ValidationError(_("This site is not checking visitors now."))
    if len(nonce) > 64:
        raise ValidationError({"nonce": _("A nonce has at most 64 characters.")})
    person = visitor.cleaned()
    earlier = _answered_before(venue, person, nonce, channel, at)
    if earlier is not None:
        return _resent(earlier, person) if nonce and earlier.nonce == nonce else (earlier, False)
    if channel == Channel.PHONE and not public_check_in_allowed(venue, address):
        raise TooManyCheckIns
    try:
        return _record(actor, venue, person, answers, channel=channel, nonce=nonce, at=at), True
    except IntegrityError:
        # The same nonce arrived twice at once; the other request recorded it (and this one's
        # transaction is gone, so the winner's record is read after it).
        if not nonce:
            raise
        winner = CheckIn.objects.get(venue=venue, nonce=nonce)
        winner.venue = venue
        return _resent(winner, person)


@durable
def _record(
    actor: User | None,
    venue: Venue,
    person: Visitor,
    answers: dict[str, Any],
    *,
    channel: Channel,
    nonce: str,
    at: datetime | None,
) -> CheckIn:
    """A new check-in, judged by the policy in force at `at` (now); the insert is the last
    statement, so a nonce that lost a race fails the transaction and nothing else in it."""
    moment = _moment(at)
    policy = policies.in_force(venue.site, moment)
    if policy is None:
        raise ValidationError(_("No admission policy is in force at this site. Please ask the staff."))
    evaluation = rules.evaluate(policy.checks.all(), answers)
    record = CheckIn(
        venue=venue,
        policy=policy,
        at=moment,
        nonce=nonce,
        channel=channel,
        name=person.name,
        mobile=person.mobile,
        id_number=person.id_number,
        companion_name=person.companion_name,
        companion_mobile=person.companion_mobile,
        results=evaluation.results,
        temperature=evaluation.temperature,
        decision=evaluation.decision,
        final_decision=evaluation.decision,
        checked_by=actor if actor is not None and actor.pk else None,
    )
    record.save()
    return record


def _answered_before(
    venue: Venue, person: Visitor, nonce: str, channel: Channel, at: datetime | None
) -> CheckIn | None:
    """In one query: the record of this nonce here if there is one, else (from a phone) this
    person's first check-in here in the last minutes (see `_phone_repeat`)."""
    found = Q(nonce=nonce) if nonce else Q(pk__in=[])
    if channel == Channel.PHONE:
        found |= _phone_repeat(person, at or timezone.now())
    elif not nonce:
        return None
    first_of_nonce = Case(When(nonce=nonce, then=Value(0)), default=Value(1)) if nonce else Value(0)
    record = CheckIn.objects.filter(found, venue=venue).order_by(first_of_nonce, "at", "pk").first()
    if record is not None:
        record.venue = venue  # with its site, already read: the answer names it
    return record


def _phone_repeat(person: Visitor, moment: datetime) -> Q:
    """This person's check-ins on a phone in the minutes before `moment`: the form sent again
    after Back, or a second tap on a page that reloaded. Name and number both: a couple sharing
    one phone are two people."""
    return Q(
        channel=Channel.PHONE,
        name=person.name,
        mobile=person.mobile,
        id_number=person.id_number,
        at__gte=moment - PHONE_REPEAT,
        at__lte=moment,
    )


def _resent(existing: CheckIn, person: Visitor) -> tuple[CheckIn, bool]:
    if not person.matches(existing):
        raise NonceConflict(existing.nonce)
    return existing, False


@durable
def decide_referral(actor: User | None, checkin: CheckIn, decision: Decision, *, temperature: Any = None) -> CheckIn:
    """Staff settle a referral (a yellow code, a temperature not taken): admit or refuse. A
    temperature not taken is measured now: it is judged by the check-in's own policy, and nobody
    is admitted unmeasured or with a reading that policy refuses."""
    record = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("venue__site__region", "policy")
        .get(pk=checkin.pk)
    )
    require(may_screen(actor, record.venue))
    if decision not in (Decision.ADMIT, Decision.REFUSE):
        raise ValidationError(_("Admit or refuse."))
    if record.decision != Decision.REFER or record.resolved_at is not None:
        raise ValidationError(_("Only an open referral can be decided."))
    changed = ["final_decision", "resolved_by", "resolved_at"]
    if temperature is not None and str(temperature).strip() and rules.unmeasured(record.results):
        check = record.policy.checks.get(kind=CheckKind.TEMPERATURE)
        record.results = rules.measured(check, record.results, temperature)
        record.temperature = Decimal(rules.answer_of(record.results, CheckKind.TEMPERATURE))
        changed += ["results", "temperature"]
    if decision == Decision.ADMIT:
        if rules.unmeasured(record.results):
            raise ValidationError({"temperature": _("Measure the temperature before admitting.")})
        if any(r["outcome"] == Decision.REFUSE for r in record.results):
            raise ValidationError(
                {"temperature": _("The admission policy refuses this reading: the person cannot be admitted.")}
            )
    record.final_decision = decision
    record.resolved_by = actor if actor is not None and actor.pk else None
    record.resolved_at = timezone.now()
    record.save(update_fields=changed)
    # No name or number in the audit log: the record itself says who it was, until purged.
    audit.record(
        actor,
        "screening.referral_decided",
        record,
        changes={"final_decision": [Decision.REFER.value, decision.value]}
        | ({"temperature": "measured"} if "temperature" in changed else {}),
        organisation_id=record.venue.site.organisation_id,
        region_code=record.venue.site.region.code,
    )
    return record


def is_current(record: CheckIn) -> bool:
    """A result screen is for today only: yesterday's screenshot admits nobody."""
    return timezone.localdate(record.at) == timezone.localdate()
