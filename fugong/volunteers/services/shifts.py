"""Duty rosters: shifts at a site, who is on them, signing in and out on the phone, hours,
and the gaps to fill before they happen."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.clock import local_time
from fugong.core.transactions import durable
from fugong.directory.models import Site

from ..access import may_run_team
from ..models import Member, Shift, ShiftAssignment, Team
from .calls import bookings_overlapping

# The seed's checkpoints ran "from morning to night in three groups".
THREE_TURNS = ((time(6), time(11)), (time(11), time(16)), (time(16), time(22)))
SIGN_IN_EARLY = timedelta(minutes=30)  # arriving a little early is normal


@durable
def plan_roster(
    actor: User | None,
    team: Team,
    site: Site,
    *,
    first_day: date,
    days: int,
    turns: tuple[tuple[time, time], ...] = THREE_TURNS,
    needed: int = 2,
) -> list[Shift]:
    """Shifts for a run of days; days already planned are left as they are."""
    require(may_run_team(actor, team))
    if site.organisation_id != team.organisation_id:
        raise ValidationError({"site": _("The site must belong to the team's organisation.")})
    if not 1 <= days <= 62:
        raise ValidationError({"days": _("Plan between 1 and 62 days at a time.")})
    created = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start, end in turns:
            shift, made = Shift.objects.get_or_create(
                site=site,
                team=team,
                starts_at=local_time(day, start),
                defaults={"ends_at": local_time(day, end), "needed": needed},
            )
            if made:
                created.append(shift)
    audit.record(
        actor, "roster.plan", team, changes={"shifts": [None, len(created)]}, organisation_id=team.organisation_id
    )
    return created


@durable
def assign(actor: User | None, shift: Shift, member: Member) -> ShiftAssignment:
    """Put a member on a shift; refused if they are booked elsewhere at those hours."""
    require(may_run_team(actor, shift.team) or (actor is not None and member.user_id == actor.pk))
    if member.team_id != shift.team_id or not member.is_active:
        raise ValidationError(_("Only current members of the team can take its shifts."))
    Shift.objects.select_for_update().get(pk=shift.pk)
    existing = ShiftAssignment.objects.filter(shift=shift, member=member).first()
    if existing:
        return existing
    clashes = bookings_overlapping(member, shift.starts_at, shift.ends_at)
    if clashes:
        raise ValidationError(
            _("%(name)s is already booked at that time: %(what)s") % {"name": member.name, "what": "; ".join(clashes)}
        )
    assignment = ShiftAssignment.objects.create(shift=shift, member=member)
    audit.record(
        actor,
        "shift.assign",
        shift,
        changes={"member": [None, member.name]},
        organisation_id=shift.team.organisation_id,
    )
    return assignment


@durable
def unassign(actor: User | None, assignment: ShiftAssignment) -> None:
    require(may_run_team(actor, assignment.shift.team))
    if assignment.signed_in_at:
        raise ValidationError(_("Someone who has signed in stays on the record."))
    audit.record(actor, "shift.unassign", assignment.shift, organisation_id=assignment.shift.team.organisation_id)
    assignment.delete()


def _check_signer(actor: User | None, assignment: ShiftAssignment) -> None:
    if actor is None or assignment.member.user_id == actor.pk or may_run_team(actor, assignment.shift.team):
        return
    raise PermissionDenied(_("You can only sign yourself in."))


@durable
def sign_in(actor: User | None, assignment: ShiftAssignment, *, at: datetime | None = None) -> ShiftAssignment:
    """Tapping twice keeps the first time."""
    _check_signer(actor, assignment)
    at = at or timezone.now()
    shift = assignment.shift
    if not check_in_opens(shift) <= at < shift.ends_at:
        raise ValidationError(
            _("You can check in from %(minutes)d minutes before the shift until it ends: from %(time)s.")
            % {
                "minutes": SIGN_IN_EARLY.seconds // 60,
                "time": f"{timezone.localtime(check_in_opens(shift)):%m-%d %H:%M}",
            }
        )
    ShiftAssignment.objects.filter(pk=assignment.pk, signed_in_at__isnull=True).update(signed_in_at=at)
    assignment.refresh_from_db()
    return assignment


@durable
def sign_out(actor: User | None, assignment: ShiftAssignment, *, at: datetime | None = None) -> ShiftAssignment:
    _check_signer(actor, assignment)
    at = at or timezone.now()
    if assignment.signed_in_at is None:
        raise ValidationError(_("Sign in first."))
    if at <= assignment.signed_in_at:
        raise ValidationError(_("Signing out must come after signing in."))
    ShiftAssignment.objects.filter(pk=assignment.pk, signed_out_at__isnull=True).update(signed_out_at=at)
    assignment.refresh_from_db()
    return assignment


def check_in_opens(shift: Shift) -> datetime:
    return shift.starts_at - SIGN_IN_EARLY


class Turn(Enum):
    """Where a member's shift stands for them: what their duty page offers."""

    NOT_YET = "not_yet"  # check-in opens later
    OPEN = "open"  # they may check in now
    ON_DUTY = "on_duty"  # checked in, may check out
    CHECKED_OUT = "checked_out"
    COUNTED_AT_END = "counted_at_end"  # checked in, never out: counted to the shift's end
    MISSED = "missed"  # the shift ended and they never checked in


def turn_of(assignment: ShiftAssignment, now: datetime | None = None) -> Turn:
    now, shift = now or timezone.now(), assignment.shift
    if assignment.signed_out_at is not None:
        return Turn.CHECKED_OUT
    if assignment.signed_in_at is not None:
        return Turn.COUNTED_AT_END if now >= shift.ends_at else Turn.ON_DUTY
    if now >= shift.ends_at:
        return Turn.MISSED
    return Turn.OPEN if now >= check_in_opens(shift) else Turn.NOT_YET


def hours_worked(assignment: ShiftAssignment, now: datetime | None = None) -> float:
    """Hours on duty, counted once the member checks out, or at the shift's end for someone
    who checked in and never out (turn_of says so, for the leader to see). A shift under way
    counts nothing yet: the total a member sees only grows by whole shifts done."""
    turn = turn_of(assignment, now)
    if turn == Turn.CHECKED_OUT:
        end = assignment.signed_out_at
    elif turn == Turn.COUNTED_AT_END:
        end = assignment.shift.ends_at
    else:
        return 0.0
    assert end is not None and assignment.signed_in_at is not None
    return max(0.0, (end - assignment.signed_in_at).total_seconds() / 3600)


@dataclass(frozen=True)
class Gap:
    shift: Shift
    assigned: int

    @property
    def missing(self) -> int:
        return self.shift.needed - self.assigned


def coming_gaps(shifts: QuerySet[Shift], *, within: timedelta = timedelta(hours=48)) -> list[Gap]:
    """Shifts starting soon with fewer people than they need: to fill before they happen."""
    now = timezone.now()
    soon = (
        shifts.filter(starts_at__gte=now - timedelta(hours=1), starts_at__lt=now + within)
        .annotate(assigned=Count("assignments"))
        .filter(assigned__lt=F("needed"))
        .select_related("site", "team")
        .order_by("starts_at")
    )
    return [Gap(shift, shift.assigned) for shift in soon]
