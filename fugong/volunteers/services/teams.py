"""Teams, their members and what members lend. One function per act, one transaction each.

Calls for help live in calls.py, shifts in shifts.py, activities and the aid ledger in
ledger.py, mediation in mediation.py, what members offer from their phone in offers.py.
"""

from datetime import date, datetime
from enum import Enum
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.pinyin import search_key
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile
from fugong.directory.models import Organisation, Region

from ..access import may_coordinate_organisation, may_run_team
from ..models import Availability, Member, Offer, OfferKind, OfferState, Skill, Team
from .offers import fill_offer


class Keep(Enum):
    KEEP = "keep"  # leave the field as it is


CONSENT_TEXT = "同意将姓名、手机号、所在村和技能用于互助调度与志愿服务统计，退出后按期删除。"


@durable
def save_team(
    actor: User | None,
    team: Team | None = None,
    *,
    name: str,
    kind: str,
    organisation: Organisation,
    region: Region,
    founded_on: date | None = None,
    is_active: bool = True,
) -> Team:
    creating = team is None
    team = team or Team()
    require(actor is None or may_coordinate_organisation(actor, organisation.pk, region.code))
    if not region.code.startswith(organisation.region.prefix):
        raise ValidationError({"region": _("The team's region must lie inside its organisation's region.")})
    before = {} if creating else audit.snapshot(team, ("name", "kind", "region", "is_active"))
    team.name, team.kind, team.organisation, team.region = name.strip(), kind, organisation, region
    team.founded_on, team.is_active = founded_on, is_active
    team.search_key = search_key(team.name)
    team.full_clean()
    team.save()
    audit.record(
        actor,
        "team.create" if creating else "team.update",
        team,
        changes=audit.diff(before, audit.snapshot(team, ("name", "kind", "region", "is_active"))),
        organisation_id=organisation.pk,
        region_code=region.code,
    )
    return team


def _clean_skills(skills: list[str]) -> list[str]:
    unknown = [s for s in skills if s not in Skill.values]
    if unknown:
        raise ValidationError({"skills": _("Unknown skill: %(skill)s") % {"skill": ", ".join(unknown)}})
    return sorted(set(skills))


@durable
def save_member(
    actor: User | None,
    team: Team,
    member: Member | None = None,
    *,
    name: str,
    mobile: str = "",
    village: Region | None = None,
    group: str = "",
    skills: list[str] | None = None,
    licence: str = "",
    e_tricycle_licence: bool = False,
    consent: bool = False,
    user: User | Literal[Keep.KEEP] | None = Keep.KEEP,
    joined_on: date | None = None,
) -> Member:
    """Add or change a member. A mobile number is kept only with the member's consent; the
    sign-in account stays as it is unless `user` is given."""
    require(may_run_team(actor, team))
    creating = member is None
    member = member or Member(team=team)
    if member.team_id != team.pk:
        raise ValidationError(_("This member belongs to another team."))
    cleaned_mobile = ""
    if mobile:
        try:
            cleaned_mobile = clean_mobile(mobile)
        except ValidationError as error:
            raise ValidationError({"mobile": error.messages}) from None
    if cleaned_mobile and not consent and member.consent_given_at is None:
        raise ValidationError({"consent": _("Record the member's consent before keeping their mobile number.")})
    if village is not None and not village.code.startswith(team.region.prefix[:6]):
        raise ValidationError({"village": _("The village must lie in the team's county.")})
    member.name, member.mobile, member.village, member.group = name.strip(), cleaned_mobile, village, group
    member.skills = _clean_skills(skills or [])
    member.licence, member.e_tricycle_licence = licence, e_tricycle_licence
    if user is not Keep.KEEP:
        member.user = user
    member.joined_on = member.joined_on or joined_on or timezone.localdate()
    if consent and member.consent_given_at is None:
        member.consent_given_at, member.consent_text = timezone.now(), CONSENT_TEXT
    member.search_key = search_key(member.name)
    member.full_clean(exclude=["team"])
    member.save()
    audit.record(
        actor,
        "member.create" if creating else "member.update",
        member,
        changes={"team": [None, team.name]} if creating else {},
        organisation_id=team.organisation_id,
        region_code=team.region.code,
    )
    return member


@durable
def set_leader(actor: User | None, team: Team, member: Member) -> None:
    # A coordinator appoints the leader; a leader does not hand the team on alone.
    require(actor is None or may_coordinate_organisation(actor, team.organisation_id, team.region.code))
    if member.team_id != team.pk or not member.is_active:
        raise ValidationError(_("The leader must be a current member of the team."))
    before = team.leader.name if team.leader else None
    team.leader = member
    team.save(update_fields=["leader"])
    audit.record(
        actor, "team.leader", team, changes={"leader": [before, member.name]}, organisation_id=team.organisation_id
    )


@durable
def member_leaves(actor: User | None, member: Member, *, on: date | None = None) -> None:
    """The member left: no more calls or shifts; their data goes after the retention period."""
    require(may_run_team(actor, member.team))
    member.left_on = on or timezone.localdate()
    member.save(update_fields=["left_on"])
    Team.objects.filter(pk=member.team_id, leader=member).update(leader=None)
    Offer.objects.filter(member=member).update(is_active=False)
    audit.record(actor, "member.leave", member, organisation_id=member.team.organisation_id)


@durable
def save_offer(
    actor: User | None,
    member: Member,
    offer: Offer | None = None,
    *,
    kind: str,
    vehicle_kind: str = "",
    capacity_cartons: int = 0,
    plate: str = "",
    drivers: list[Member] | None = None,
    skill: str = "",
    note: str = "",
    window: tuple[datetime, datetime] | None = None,
) -> Offer:
    """What a member lends, entered by whoever runs the team (confirmed at once), with a first
    availability `window` if given. Rules of what an offer must say: offers.fill_offer."""
    runs = may_run_team(actor, member.team)
    require(runs or _is_self(actor, member))
    creating = offer is None
    offer = offer or Offer(member=member)
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
    )
    if creating and runs:
        offer.state, offer.decided_at = OfferState.CONFIRMED, timezone.now()
        offer.decided_by = actor if actor is not None and actor.pk else None
    offer.full_clean(exclude=["member"])
    offer.save()
    if kind == OfferKind.VEHICLE:
        offer.drivers.set(chosen)
    audit.record(
        actor, "offer.create" if creating else "offer.update", offer, organisation_id=member.team.organisation_id
    )
    if window is not None:
        _add_availability(actor, offer, *window)
    return offer


def _is_self(actor: User | None, member: Member) -> bool:
    return actor is not None and member.user_id == actor.pk


@durable
def add_availability(actor: User | None, offer: Offer, starts_at: datetime, ends_at: datetime) -> Availability:
    return _add_availability(actor, offer, starts_at, ends_at)


def _add_availability(actor: User | None, offer: Offer, starts_at: datetime, ends_at: datetime) -> Availability:
    """The work of the service above, inside the caller's transaction."""
    require(may_run_team(actor, offer.member.team) or _is_self(actor, offer.member))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    window = Availability.objects.create(offer=offer, starts_at=starts_at, ends_at=ends_at)
    audit.record(
        actor, "offer.available", offer, changes={"window": [None, f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"]}
    )
    return window


@durable
def withdraw_offer(actor: User | None, offer: Offer) -> None:
    """The member no longer lends it; windows already given stay on the record."""
    require(may_run_team(actor, offer.member.team) or _is_self(actor, offer.member))
    Offer.objects.filter(pk=offer.pk).update(is_active=False)
    audit.record(actor, "offer.withdraw", offer, organisation_id=offer.member.team.organisation_id)
