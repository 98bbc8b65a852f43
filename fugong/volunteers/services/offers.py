"""What members lend, offered from their own phone and confirmed by whoever runs the team.

A member offers a vehicle (with its plate and who may drive it), their time or a skill for one
or more days, signed in or through their duty link. The offer waits until the team's leader or
the office confirms or declines it; only confirmed offers join the fleet for their days and can
be brought to a call for help (queries.fleet_for_day, calls.suitable_vehicles). What the office
itself enters is confirmed at once (teams.save_offer).
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.clock import local_time
from fugong.core.transactions import durable
from fugong.core.validators import clean_plate

from ..access import may_run_team
from ..models import MOTOR_VEHICLES, Availability, Member, Offer, OfferKind, OfferState, Team

MOST_DAYS = 14  # an offer covers up to two weeks; a longer one is made again when it runs out


@dataclass(frozen=True)
class Days:
    """The days an offer is for, and the same hours on each."""

    first: date
    last: date
    starts: time
    ends: time

    def windows(self) -> list[tuple[date, time, time]]:
        count = (self.last - self.first).days + 1
        return [(self.first + timedelta(days=n), self.starts, self.ends) for n in range(count)]


def _check_days(days: Days) -> None:
    if days.first < timezone.localdate():
        raise ValidationError({"first_day": _("The first day cannot be in the past.")})
    if days.last < days.first:
        raise ValidationError({"last_day": _("The last day cannot come before the first.")})
    if (days.last - days.first).days >= MOST_DAYS:
        raise ValidationError({"last_day": _("Offer at most %(n)d days at a time.") % {"n": MOST_DAYS}})
    if days.ends <= days.starts:
        raise ValidationError({"until": _("The end must come after the start.")})


def fill_offer(
    offer: Offer,
    member: Member,
    *,
    kind: str,
    vehicle_kind: str = "",
    capacity_cartons: int = 0,
    plate: str = "",
    drivers: list[Member] | None = None,
    skill: str = "",
    note: str = "",
    plate_required: bool = False,
) -> list[Member]:
    """Check and set an offer's fields (inside the caller's service); returns who may drive it.

    A vehicle needs a kind, a capacity and at least one licensed driver of the owner's team (the
    owner counts if licensed). A van, car or lorry carries a national number plate, checked when
    given; tricycles keep what is written (an e-tricycle's plate is the county's own format)."""
    if kind == OfferKind.VEHICLE:
        if not vehicle_kind:
            raise ValidationError({"vehicle_kind": _("Say what kind of vehicle it is.")})
        if capacity_cartons <= 0:
            raise ValidationError({"capacity_cartons": _("How many cartons does it carry?")})
        if vehicle_kind in MOTOR_VEHICLES and (plate.strip() or plate_required):
            if not plate.strip():
                raise ValidationError({"plate": _("Give the vehicle's number plate.")})
            try:
                plate = clean_plate(plate)
            except ValidationError as error:
                raise ValidationError({"plate": error.messages}) from None
    if kind == OfferKind.SKILL and not skill:
        raise ValidationError({"skill": _("Choose the skill you offer.")})
    offer.kind, offer.vehicle_kind, offer.capacity_cartons = kind, vehicle_kind, capacity_cartons
    offer.plate, offer.skill, offer.note = plate.strip().upper(), skill, note.strip()
    if kind != OfferKind.VEHICLE:
        return []
    able = [member] if member.may_drive_a(vehicle_kind) else []
    chosen = list(drivers) if drivers else able
    if not chosen:
        raise ValidationError({"drivers": _("Name at least one licensed member who may drive it.")})
    strangers = [d.name for d in chosen if d.team_id != member.team_id or not d.may_drive_a(vehicle_kind)]
    if strangers:
        raise ValidationError(
            {"drivers": _("Not a licensed member of this team: %(names)s") % {"names": ", ".join(strangers)}}
        )
    return chosen


@durable
def offer_from_member(
    actor: User | None,
    member: Member,
    *,
    days: Days,
    kind: str,
    vehicle_kind: str = "",
    capacity_cartons: int = 0,
    plate: str = "",
    drivers: list[Member] | None = None,
    skill: str = "",
    note: str = "",
    client_key: str = "",
) -> Offer:
    """The member offers something for some days, from their phone; it waits for the team
    leader. `actor` is their own account, or None when they came through their duty link (the
    link is their proof). Sending the same `client_key` again returns the first offer."""
    if actor is not None and member.user_id != actor.pk:
        raise PermissionDenied(_("You can only offer what is yours."))
    member = Member.objects.select_for_update().select_related("team").get(pk=member.pk)  # one offer per tap
    if not member.is_active:
        raise PermissionDenied(_("Only current members of the team can offer."))
    if len(client_key) > 64:
        raise ValidationError({"client_key": _("A client key has at most 64 characters.")})
    if client_key and (first := Offer.objects.filter(member=member, client_key=client_key).first()):
        return first
    _check_days(days)
    offer = Offer(member=member, state=OfferState.OFFERED, client_key=client_key)
    chosen = fill_offer(
        offer,
        member,
        kind=kind,
        vehicle_kind=vehicle_kind,
        capacity_cartons=capacity_cartons,
        plate=plate,
        drivers=drivers,
        skill=skill,
        note=note,
        plate_required=True,
    )
    offer.full_clean(exclude=["member"])
    offer.save()
    offer.drivers.set(chosen)
    for day, starts, ends in days.windows():
        Availability.objects.create(offer=offer, starts_at=local_time(day, starts), ends_at=local_time(day, ends))
    audit.record(
        actor,
        "offer.offered",
        offer,
        changes={"days": [None, f"{days.first:%Y-%m-%d}–{days.last:%Y-%m-%d}"]},
        organisation_id=member.team.organisation_id,
    )
    return offer


@durable
def decide_offer(actor: User | None, offer: Offer, *, confirm: bool) -> Offer:
    """The team leader (or the office) confirms a member's offer, and it joins the fleet for its
    days, or declines it. An offer decided already stays as it was."""
    offer = Offer.objects.select_for_update().select_related("member__team__region").get(pk=offer.pk)
    require(may_run_team(actor, offer.member.team))
    if offer.state != OfferState.OFFERED:
        raise ValidationError(_("This offer was already %(state)s.") % {"state": offer.get_state_display()})
    if not offer.is_active:
        raise ValidationError(_("The member has withdrawn this offer."))
    offer.state = OfferState.CONFIRMED if confirm else OfferState.DECLINED
    offer.decided_by = actor if actor is not None and actor.pk else None
    offer.decided_at = timezone.now()
    offer.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record(
        actor,
        "offer.confirm" if confirm else "offer.decline",
        offer,
        changes={"state": [OfferState.OFFERED.value, offer.state]},
        organisation_id=offer.member.team.organisation_id,
    )
    return offer


def waiting_offers(teams: QuerySet[Team] | list[Team]) -> QuerySet[Offer]:
    """Members' offers still waiting for these teams' leaders, the oldest first."""
    return (
        Offer.objects.filter(member__team__in=teams, state=OfferState.OFFERED, is_active=True)
        .filter(member__left_on__isnull=True)
        .select_related("member__team__region", "member__team__leader")
        .order_by("offered_at", "pk")
    )


def offers_of(members: QuerySet[Member]) -> QuerySet[Offer]:
    """What these members offer now (not withdrawn), the latest first: for their own page."""
    return (
        Offer.objects.filter(member__in=members, is_active=True)
        .select_related("member__team")
        .prefetch_related("drivers", "windows")
        .order_by("-offered_at", "-pk")
    )
