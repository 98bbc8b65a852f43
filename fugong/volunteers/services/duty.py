"""A member's duties (shifts to sign in and out of, calls they are confirmed for, hours on duty)
and the signed link that opens them on a phone for members without an account."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core import links
from fugong.core.transactions import durable
from fugong.notify import kinds
from fugong.notify import services as notify
from fugong.notify.models import Channel

from ..access import may_run_team
from ..models import AnswerStatus, HelpAnswer, Member, ShiftAssignment
from .shifts import Turn, check_in_opens, hours_worked, turn_of

MESSAGE_KIND = kinds.register("volunteer_duty", gettext_lazy("Duty link"))
RECENT = timedelta(hours=12)  # a shift that ended this morning can still be signed out of


def duty_token(member: Member) -> str:
    return links.make_token("duty", member.pk, member.link_version)


def duty_link(member: Member) -> str:
    return links.absolute("volunteers:duty", duty_token(member))


def read_duty_token(token: str) -> Member:
    """The member a duty link was made for; PermissionDenied if forged, renewed since, or the
    member has left."""
    try:
        member_id, version = links.read_token("duty", token, 2)
        member = Member.objects.select_related("team__region").get(pk=member_id)
    except (links.BadLink, Member.DoesNotExist):
        raise PermissionDenied(_("This link is not valid.")) from None
    if version != member.link_version or not member.is_active:
        raise PermissionDenied(_("This link is no longer valid. Ask your team leader for a new one."))
    return member


@durable
def renew_duty_link(actor: User | None, member: Member) -> Member:
    """The old link stops working (a lost phone, a link forwarded to the wrong group)."""
    require(may_run_team(actor, member.team))
    Member.objects.filter(pk=member.pk).update(link_version=F("link_version") + 1)
    member.refresh_from_db(fields=["link_version"])
    audit.record(actor, "member.duty_link_renewed", member, organisation_id=member.team.organisation_id)
    return member


@durable
def send_duty_links(actor: User | None, members: list[Member], channel: Channel) -> int:
    """Each member with a mobile gets a message carrying their own duty link."""
    for member in members:
        require(may_run_team(actor, member.team))
    reachable = [m for m in members if m.mobile and m.is_active]
    if not reachable:
        raise ValidationError(_("None of them has a mobile number."))
    per_recipient = {m.mobile: {"name": m.name, "team": m.team.name, "link": duty_link(m)} for m in reachable}
    return notify.enqueue(actor, channel, MESSAGE_KIND, list(per_recipient), per_recipient=per_recipient)


@dataclass(frozen=True)
class MyShift:
    """A shift on the member's page: what they can do about it now, and the hours it counts."""

    assignment: ShiftAssignment
    turn: Turn
    check_in_opens: datetime
    hours: float


@dataclass(frozen=True)
class Duties:
    assignments: list[ShiftAssignment]  # coming and recent shifts, soonest first
    confirmed: list[HelpAnswer]  # calls for help they are confirmed for
    hours: float  # hours on duty, all time: shifts checked out of or ended (shifts.hours_worked)
    shifts: list[MyShift]  # the assignments above, each with its turn


def duties_of(members: QuerySet[Member]) -> Duties:
    now = timezone.now()
    since = now - RECENT
    assignments = list(
        ShiftAssignment.objects.filter(member__in=members, shift__ends_at__gte=since)
        .select_related("shift__site", "shift__team", "member")
        .order_by("shift__starts_at")
    )
    confirmed = (
        HelpAnswer.objects.filter(member__in=members, status=AnswerStatus.CONFIRMED, call__ends_at__gte=since)
        .select_related("call")
        .order_by("call__starts_at")
    )
    worked = ShiftAssignment.objects.filter(member__in=members, signed_in_at__isnull=False).select_related("shift")
    shifts = [MyShift(a, turn_of(a, now), check_in_opens(a.shift), hours_worked(a, now)) for a in assignments]
    return Duties(assignments, list(confirmed), sum(hours_worked(a, now) for a in worked), shifts)
