"""Home-page cards of the volunteers (volunteers.access):

- a member who signs in: the calls for help sent to their teams and their answer, their next
  duty, a shift or a call they are confirmed for (its page is where they sign in and out);
- coordinators (administrators, county coordinators, platform admins): teams and members,
  open calls for help, mediation follow-ups due; the staff of an organisation with teams see
  its open calls (helpers coming to their site).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import scope_of
from fugong.core.dashboard import Card, Line

from . import queries
from .access import may_run_team
from .models import AnswerStatus, HelpCallStatus, MediationCase, ShiftAssignment, TeamKind
from .services import calls, duty, offers

LISTED = 5


def my_duty_cards(user: Any) -> list[Card]:
    members = queries.my_members(user)
    if not members.exists():
        return []
    return [_my_calls(user), _next_duty(user), *_offers_waiting(user, leads=True)]


def _offers_waiting(user: Any, *, leads: bool) -> list[Card]:
    """Members' offers waiting for this person to confirm: a team leader's (`leads`) among their
    own duties, the office's among the teams; each person sees the card once."""
    waiting = [
        offer
        for offer in offers.waiting_offers(queries.visible_teams(user))
        if may_run_team(user, offer.member.team)
        and leads == (offer.member.team.leader is not None and offer.member.team.leader.user_id == user.pk)
    ]
    if not waiting:
        return []
    lines = tuple(
        Line(
            f"{offer.member.name} · {offer}",
            offer.member.team.name,
            reverse("volunteers:team", args=[offer.member.team_id]),
            "warn",
        )
        for offer in waiting[:LISTED]
    )
    return [
        Card(
            _("Offers to confirm"),
            str(len(waiting)),
            _("Members offered these from their phones; confirm them on the team page."),
            lines[0].url,
            "warn",
            lines,
        )
    ]


def _my_calls(user: Any) -> Card:
    mine = queries.my_calls(user, limit=LISTED)
    lines = []
    for item in mine:
        call, answer = item.call, item.answer
        waiting = answer is None and call.status == HelpCallStatus.OPEN
        lines.append(
            Line(
                f"{timezone.localtime(call.starts_at):%m-%d %H:%M} {call.title}",
                answer.get_status_display() if answer else _("Not answered"),
                reverse("volunteers:answer", args=[calls.answer_token(call, item.member)]),
                "warn" if waiting else "",
            )
        )
    confirmed = sum(1 for item in mine if item.answer and item.answer.status == AnswerStatus.CONFIRMED)
    unanswered = sum(1 for line in lines if line.tone)
    return Card(
        _("My calls for help"),
        str(len(mine)),
        _("%(confirmed)d confirmed, %(unanswered)d waiting for your answer")
        % {"confirmed": confirmed, "unanswered": unanswered},
        reverse("volunteers:me"),
        "warn" if unanswered else "",
        tuple(lines),
    )


@dataclass(frozen=True)
class _Duty:
    starts_at: datetime
    ends_at: datetime
    what: str
    assignment: ShiftAssignment | None = None  # a shift (to sign in and out of), or a call confirmed


def _next_duty(user: Any) -> Card:
    """The soonest shift or confirmed call for help not over yet, and the ones after it."""
    duties = duty.duties_of(queries.my_members(user))
    now = timezone.now()
    coming = [
        _Duty(a.shift.starts_at, a.shift.ends_at, f"{a.shift.site.name} · {a.shift.team.name}", a)
        for a in duties.assignments
        if a.shift.ends_at > now and a.signed_out_at is None
    ]
    coming += [
        _Duty(answer.call.starts_at, answer.call.ends_at, answer.call.title)
        for answer in duties.confirmed
        if answer.call.ends_at > now
    ]
    coming.sort(key=lambda item: item.starts_at)
    hours = _("%(h)s hours on duty so far. Thank you.") % {"h": f"{duties.hours:.1f}"} if duties.hours else ""
    url = reverse("volunteers:me")
    if not coming:
        return Card(_("My next duty"), "—", " ".join(p for p in (_("No shifts planned."), hours) if p), url)
    first = coming[0]
    starts = timezone.localtime(first.starts_at)
    figure = f"{starts:%H:%M}" if starts.date() == timezone.localdate() else f"{starts:%m-%d %H:%M}"
    state, tone = "", ""
    if first.assignment is not None and first.assignment.signed_in_at is not None:
        state = _("signed in at %(time)s") % {"time": f"{timezone.localtime(first.assignment.signed_in_at):%H:%M}"}
    elif first.assignment is not None and first.starts_at <= now:
        state, tone = _("started: sign in on your duty page"), "warn"
    elif first.starts_at <= now:
        state = _("under way until %(time)s") % {"time": f"{timezone.localtime(first.ends_at):%H:%M}"}
    lines = tuple(Line(item.what, f"{timezone.localtime(item.starts_at):%m-%d %H:%M}") for item in coming[1:LISTED])
    note = "; ".join(part for part in (first.what, state, hours) if part)
    return Card(_("My next duty"), figure, note, url, tone, lines)


def team_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    coordinates = scope.is_platform_admin or bool(scope.admin_org_ids or scope.region_prefixes)
    if not (coordinates or scope.staff_org_ids):
        return []
    kinds = queries.team_counts(user)
    if not kinds:
        return []
    cards = []
    if coordinates:
        labels = dict(TeamKind.choices)
        cards.append(
            Card(
                _("Teams"),
                str(sum(row["teams"] for row in kinds)),
                _("%(n)d members") % {"n": sum(row["members"] for row in kinds)},
                reverse("volunteers:teams"),
                lines=tuple(
                    Line(labels.get(row["kind"], row["kind"]), _("%(teams)d teams, %(members)d members") % row)
                    for row in kinds
                ),
            )
        )
    cards.append(_open_calls(user))
    cards.extend(_offers_waiting(user, leads=False))
    if coordinates:
        cards.extend(_cases(user))
    return cards


def _open_calls(user: Any) -> Card:
    listing = queries.open_calls(user)
    first = list(listing[: LISTED + 1])
    count = listing.count() if len(first) > LISTED else len(first)
    soon = timezone.now() + timedelta(hours=24)
    lines = tuple(
        Line(
            f"{timezone.localtime(call.starts_at):%m-%d %H:%M} {call.title}",
            f"{call.confirmed}/{call.needed}",  # type: ignore[attr-defined]
            reverse("volunteers:call", args=[call.pk]),
            "warn" if call.starts_at < soon and call.confirmed < call.needed else "",  # type: ignore[attr-defined]
        )
        for call in first[:LISTED]
    )
    return Card(
        _("Open calls for help"),
        str(count),
        _("still taking answers; people confirmed of those needed"),
        reverse("volunteers:calls"),
        "warn" if any(line.tone for line in lines) else "",
        lines,
    )


def _cases(user: Any) -> list[Card]:
    today = timezone.localdate()
    counts = queries.case_counts(user, today)
    if not counts["all"]:
        return []
    due = (
        queries.visible_cases(user)
        .filter(follow_up_on__lte=today, followed_up_at__isnull=True)
        .order_by("follow_up_on", "pk")[:LISTED]
    )
    return [
        Card(
            _("Mediation follow-ups due"),
            str(counts["due"]),
            _("%(overdue)d overdue; %(open)d cases not yet settled") % counts,
            reverse("volunteers:cases"),
            "alert" if counts["overdue"] else ("warn" if counts["due"] else ""),
            tuple(_case_line(case, today) for case in due),
        )
    ]


def _case_line(case: MediationCase, today: date) -> Line:
    assert case.follow_up_on is not None
    return Line(
        f"{case.get_kind_display()} · {case.team.name}",
        f"{case.follow_up_on:%m-%d}",
        reverse("volunteers:case", args=[case.pk]),
        "alert" if case.follow_up_on < today else "warn",
    )
