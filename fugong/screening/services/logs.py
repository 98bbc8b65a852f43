"""Staff temperatures and disinfection rounds, and what is overdue now.

A site's schedule is a list of times of day (08:00, 14:00). Each time owns the part of the
day nearest to it (00:00-11:00 and 11:00-24:00 for those two), so a reading taken at 07:50
counts for 08:00; a slot is overdue `grace_minutes` after its time with nothing in its part,
and a reading taken after that is marked late.

A staff reading at or above the site's fever bar is a fever: an alert on the site, the
screening list and the home pages until someone records what was done (sent home, or
measured again, which records the new reading).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import Membership, Role, User
from fugong.accounts.permissions import require
from fugong.core.clock import local_time
from fugong.core.transactions import durable

from ..access import may_screen
from ..models import Disinfection, FeverAction, StaffTemperature, Venue
from ..rules import parse_temperature
from .policies import in_force
from .venues import slot_times

COMMON_FEVER_BAR = Decimal("37.3")
FEVER_ALERT_HOURS = 24  # a fever nobody acted on stays an alert this long (overnight too)


def roster(venue: Venue) -> list[User]:
    """The site's staff: who should take their temperature twice a day."""
    ids = Membership.objects.filter(site=venue.site, role=Role.SITE_STAFF, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "username"))


def _when(at: datetime | None) -> datetime:
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        raise ValidationError({"at": _("This time is in the future.")})
    return at


@durable
def record_staff_temperature(
    actor: User | None, venue: Venue, staff: User, temperature: Any, *, at: datetime | None = None
) -> StaffTemperature:
    """A staff member's reading, entered by them or by the supervisor."""
    require(may_screen(actor, venue))
    if staff.pk not in {u.pk for u in roster(venue)}:
        raise ValidationError({"staff": _("%(name)s is not on this site's staff.") % {"name": staff}})
    return _reading(actor, venue, staff, temperature, _when(at))


def _reading(actor: User | None, venue: Venue, staff: User, temperature: Any, at: datetime) -> StaffTemperature:
    try:
        reading = parse_temperature(temperature)
    except ValueError as problem:
        raise ValidationError({"temperature": str(problem)}) from None
    if reading is None:
        raise ValidationError({"temperature": _("Enter the temperature in °C, e.g. 36.5.")})
    entry = StaffTemperature(
        venue=venue, staff=staff, temperature=reading, taken_at=at, fever=reading >= fever_threshold(venue)
    )
    entry.recorded_by = actor if actor is not None and actor.pk else None
    entry.save()
    return entry


@durable
def act_on_fever(
    actor: User | None, entry: StaffTemperature, action: str, *, temperature: Any = None
) -> StaffTemperature | None:
    """What was done about a fever: sent home, or measured again (the new reading is recorded
    and judged in its turn). Returns the new reading, if any."""
    entry = (
        StaffTemperature.objects.select_for_update(of=("self",)).select_related("venue__site", "staff").get(pk=entry.pk)
    )
    require(may_screen(actor, entry.venue))
    if action not in FeverAction.values:
        raise ValidationError({"action": _("Choose what was done.")})
    if not entry.fever or entry.action:
        raise ValidationError(_("This reading needs no action, or one was already recorded."))
    again = None
    if action == FeverAction.REMEASURED:
        if temperature is None or not str(temperature).strip():
            raise ValidationError({"temperature": _("Enter the new reading.")})
        again = _reading(actor, entry.venue, entry.staff, temperature, timezone.now())
    entry.action = action
    entry.action_by = actor if actor is not None and actor.pk else None
    entry.action_at = timezone.now()
    entry.save(update_fields=["action", "action_by", "action_at"])
    # The staff member's name and what was done, not the reading (health data, purged with it).
    audit.record_about(
        actor,
        "screening.staff_fever_acted",
        entry._meta.label_lower,
        str(entry.pk),
        str(entry.staff),
        changes={"action": str(action)},
        organisation_id=entry.venue.site.organisation_id,
    )
    return again


def open_fevers(venues: Any, now: datetime | None = None) -> Any:
    """Staff fevers at these sites in the last day that nobody has acted on, oldest first."""
    since = (now or timezone.now()) - timedelta(hours=FEVER_ALERT_HOURS)
    return (
        StaffTemperature.objects.filter(venue__in=venues, fever=True, action="", taken_at__gte=since)
        .select_related("staff", "venue__site")
        .order_by("taken_at", "pk")
    )


def fevers_by_venue(venues: Any) -> dict[int, int]:
    """{venue id: open fevers} for lists of sites."""
    return dict(open_fevers(venues).values_list("venue_id").annotate(n=Count("pk")).order_by())


def late_for(venue: Venue, at: datetime) -> time | None:
    """The round a reading taken at `at` was for, when it came after that round's grace."""
    day = timezone.localdate(at)
    for due, start, end in slot_spans(day, slot_times(venue.staff_check_times)):
        if start <= at < end:
            return due if at >= local_time(day, due) + timedelta(minutes=venue.grace_minutes) else None
    return None


@durable
def record_disinfection(
    actor: User | None,
    venue: Venue,
    *,
    areas: str,
    done_by: str,
    disinfectant: str = "",
    at: datetime | None = None,
) -> Disinfection:
    require(may_screen(actor, venue))
    entry = Disinfection(
        venue=venue, areas=areas.strip(), done_by=done_by.strip(), disinfectant=disinfectant.strip(), done_at=_when(at)
    )
    entry.recorded_by = actor if actor is not None and actor.pk else None
    entry.full_clean(exclude=["venue", "recorded_by"])
    entry.save()
    audit.record(actor, "screening.disinfection_recorded", entry, organisation_id=venue.site.organisation_id)
    return entry


def slot_spans(day: date, times: list[time]) -> list[tuple[time, datetime, datetime]]:
    """(slot time, start, end) of each slot's part of the day."""
    moments = [local_time(day, t) for t in times]
    day_start, day_end = local_time(day, time(0)), local_time(day + timedelta(days=1), time(0))
    spans = []
    for i, moment in enumerate(moments):
        start = day_start if i == 0 else moments[i - 1] + (moment - moments[i - 1]) / 2
        end = day_end if i == len(moments) - 1 else moment + (moments[i + 1] - moment) / 2
        spans.append((times[i], start, end))
    return spans


@dataclass(frozen=True)
class Overdue:
    kind: str  # "temperature" or "disinfection"
    due: time
    who: User | None = None  # the staff member, for temperatures

    @property
    def text(self) -> str:
        due = self.due.strftime("%H:%M")
        if self.kind == "temperature":
            return _("%(name)s: temperature of %(time)s not recorded") % {"name": self.who, "time": due}
        return _("Disinfection round of %(time)s not recorded") % {"time": due}


def overdue(venue: Venue, now: datetime | None = None) -> list[Overdue]:
    """What should have been logged today by now and was not."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    grace = timedelta(minutes=venue.grace_minutes)
    day_start = local_time(day, time(0))
    readings = list(
        StaffTemperature.objects.filter(venue=venue, taken_at__gte=day_start, taken_at__lte=now).values_list(
            "staff_id", "taken_at"
        )
    )
    rounds = list(
        Disinfection.objects.filter(venue=venue, done_at__gte=day_start, done_at__lte=now).values_list(
            "done_at", flat=True
        )
    )
    found: list[Overdue] = []
    staff = roster(venue)
    for due, start, end in slot_spans(day, slot_times(venue.staff_check_times)):
        if now < local_time(day, due) + grace:
            continue
        taken = {staff_id for staff_id, at in readings if start <= at < end}
        found.extend(Overdue("temperature", due, person) for person in staff if person.pk not in taken)
    for due, start, end in slot_spans(day, slot_times(venue.disinfection_times)):
        if now >= local_time(day, due) + grace and not any(start <= at < end for at in rounds):
            found.append(Overdue("disinfection", due))
    return found


def fever_threshold(venue: Venue) -> Decimal:
    """From this reading a staff member stays off the counter: the site's own visitors' bar,
    or the common 37.3 °C where its policy takes no temperature."""
    policy = in_force(venue.site)
    bars = [c.max_temperature for c in policy.checks.all() if c.max_temperature is not None] if policy else []
    return bars[0] if bars else COMMON_FEVER_BAR
