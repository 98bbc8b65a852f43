"""Read side of volunteers, shared by pages, the API and other modules.

`fleet_for_day` is what the delivery planner uses as its borrowed fleet: vehicles offered
(or brought to a confirmed call for help) on that day, and the licensed drivers free then.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fugong.accounts.permissions import require, scope_of
from fugong.core.clock import local_time
from fugong.core.masking import mask_mobile
from fugong.directory.models import Region

from .access import may_run_team, q_visible_cases, q_visible_teams
from .models import (
    AnswerStatus,
    Availability,
    CaseOutcome,
    HelpAnswer,
    HelpCall,
    HelpCallStatus,
    MediationCase,
    Member,
    OfferKind,
    OfferState,
    Team,
    VehicleKind,
)


def visible_teams(user: Any) -> QuerySet[Team]:
    return Team.objects.filter(q_visible_teams(user)).distinct().select_related("region", "organisation", "leader")


def visible_members(user: Any) -> QuerySet[Member]:
    return Member.objects.filter(team__in=visible_teams(user)).select_related("team", "village")


def visible_calls(user: Any) -> QuerySet[HelpCall]:
    return (
        HelpCall.objects.filter(Q(teams__in=visible_teams(user)) | Q(created_by_id=getattr(user, "pk", None) or 0))
        .distinct()
        .select_related("organisation")
    )


def visible_cases(user: Any) -> QuerySet[MediationCase]:
    return MediationCase.objects.filter(q_visible_cases(user)).distinct().select_related("team")


def my_members(user: Any) -> QuerySet[Member]:
    """The signed-in person's own rows (one per team they belong to)."""
    return Member.objects.filter(user_id=getattr(user, "pk", None) or 0, left_on__isnull=True).select_related("team")


def open_calls(user: Any) -> QuerySet[HelpCall]:
    """Calls for help the user sees that still take answers and have not ended, the soonest
    first, with the number confirmed."""
    return (
        visible_calls(user)
        .filter(status=HelpCallStatus.OPEN, ends_at__gt=timezone.now())
        .annotate(confirmed=Count("answers", filter=Q(answers__status=AnswerStatus.CONFIRMED), distinct=True))
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class MyCall:
    call: HelpCall
    member: Member  # the person's row in a team the call was sent to
    answer: HelpAnswer | None


def my_calls(user: Any, limit: int = 5) -> list[MyCall]:
    """Calls for help sent to the person's teams that have not ended (not cancelled ones), the
    soonest first, each with the person's answer if they gave one."""
    members = {member.team_id: member for member in my_members(user)}
    if not members:
        return []
    calls = list(
        HelpCall.objects.filter(teams__in=list(members), ends_at__gt=timezone.now())
        .exclude(status=HelpCallStatus.CANCELLED)
        .distinct()
        .prefetch_related("teams")
        .order_by("starts_at", "pk")[:limit]
    )
    answers = {
        (answer.call_id, answer.member_id): answer
        for answer in HelpAnswer.objects.filter(call__in=calls, member__in=list(members.values()))
    }
    found = []
    for call in calls:
        mine = [members[team.pk] for team in call.teams.all() if team.pk in members]
        member = next((m for m in mine if (call.pk, m.pk) in answers), mine[0])
        found.append(MyCall(call, member, answers.get((call.pk, member.pk))))
    return found


def team_counts(user: Any) -> list[dict[str, Any]]:
    """Active teams the user sees and their current members, by kind of team."""
    teams = Team.objects.filter(pk__in=visible_teams(user).values("pk"), is_active=True)
    rows: Any = (
        teams.values("kind")
        .annotate(
            team_count=Count("pk", distinct=True),
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        )
        .order_by("kind")
    )
    return [{"kind": row["kind"], "teams": row["team_count"], "members": row["member_count"]} for row in rows]


def case_counts(user: Any, day: date) -> dict[str, int]:
    """Mediation cases the user sees: not yet settled, and those with a follow-up due by `day`
    not done (overdue: due before it)."""
    cases = MediationCase.objects.filter(pk__in=visible_cases(user).values("pk"))
    pending = Q(follow_up_on__isnull=False, followed_up_at__isnull=True)
    return cases.aggregate(
        all=Count("pk"),
        open=Count("pk", filter=Q(outcome=CaseOutcome.OPEN)),
        due=Count("pk", filter=pending & Q(follow_up_on__lte=day)),
        overdue=Count("pk", filter=pending & Q(follow_up_on__lt=day)),
    )


@dataclass(frozen=True)
class FleetVehicle:
    offer_id: int
    vehicle_kind: str
    capacity_cartons: int
    plate: str
    owner: str
    team: str
    driver_ids: tuple[int, ...]
    available_from: datetime
    available_until: datetime
    call_id: int | None  # brought to this confirmed call for help

    @property
    def vehicle_kind_label(self) -> str:
        return str(VehicleKind(self.vehicle_kind).label)


@dataclass(frozen=True)
class FleetDriver:
    member_id: int
    name: str
    mobile: str
    licence: str
    e_tricycle_licence: bool
    team: str
    available_from: datetime
    available_until: datetime


def fleet_for_user(user: Any, day: date) -> tuple[list[FleetVehicle], list[FleetDriver]]:
    """The fleet a planner may use: their organisations' teams and calls, and a coordinator's
    also those in their own region, never another county's (plates, owners, mobiles)."""
    scope = scope_of(user)
    require(may_plan_fleet(user))
    if scope.is_platform_admin:
        vehicles, drivers = _fleet(day)
    else:
        teams, calls = _of_organisations(scope.admin_org_ids | scope.staff_org_ids)
        teams |= scope.q_region("offer__member__team__region__code")
        calls |= scope.q_region("call__organisation__region__code")
        vehicles, drivers = _fleet(day, (teams, calls))
    # A list for people: mobiles masked (the planner reaches drivers through their run links; a
    # team's leader has the full number on the member's page).
    return vehicles, [replace(driver, mobile=mask_mobile(driver.mobile)) for driver in drivers]


def fleet_for_day(
    day: date, *, organisation_ids: list[int] | None = None
) -> tuple[list[FleetVehicle], list[FleetDriver]]:
    """Vehicles and drivers available on `day` (local time) from current members of active
    teams: of these organisations' teams and calls, or everyone's."""
    return _fleet(day, None if organisation_ids is None else _of_organisations(organisation_ids))


def _of_organisations(ids: Iterable[int]) -> tuple[Q, Q]:
    """(vehicle windows of these organisations' teams, confirmed answers to their calls)"""
    listed = sorted(ids)
    return Q(offer__member__team__organisation_id__in=listed), Q(call__organisation_id__in=listed)


def _fleet(day: date, where: tuple[Q, Q] | None = None) -> tuple[list[FleetVehicle], list[FleetDriver]]:
    start = local_time(day, time.min)
    end = start + timedelta(days=1)
    windows = (
        Availability.objects.filter(
            starts_at__lt=end,
            ends_at__gt=start,
            offer__kind=OfferKind.VEHICLE,
            offer__is_active=True,
            offer__state=OfferState.CONFIRMED,  # a member's offer joins once the team leader confirms it
            offer__member__left_on__isnull=True,
            offer__member__team__is_active=True,
        )
        .select_related("offer__member__team")
        .prefetch_related("offer__drivers__team")  # each driver's team is named
        .order_by("starts_at", "pk")
    )
    calls = HelpAnswer.objects.filter(
        status=AnswerStatus.CONFIRMED,
        call__starts_at__lt=end,
        call__ends_at__gt=start,
        member__left_on__isnull=True,
    ).select_related("member__team", "call")
    if where is not None:
        windows, calls = windows.filter(where[0]), calls.filter(where[1])
    vehicles: list[FleetVehicle] = []
    drivers: dict[int, FleetDriver] = {}
    confirmed_drivers = {(a.call_id, a.member_id) for a in calls}
    for window in windows:
        offer = window.offer
        owner = offer.member
        driver_ids = tuple(sorted(d.pk for d in offer.drivers.all() if d.left_on is None))
        vehicles.append(
            FleetVehicle(
                offer_id=offer.pk,
                vehicle_kind=offer.vehicle_kind,
                capacity_cartons=offer.capacity_cartons,
                plate=offer.plate,
                owner=owner.name,
                team=owner.team.name,
                driver_ids=driver_ids,
                available_from=max(window.starts_at, start),
                available_until=min(window.ends_at, end),
                call_id=window.call_id,
            )
        )
        # A vehicle offered on its own brings its drivers; one brought to a call brings
        # the confirmed member who drives it.
        for driver in offer.drivers.all():
            if driver.left_on is None and (window.call_id is None or (window.call_id, driver.pk) in confirmed_drivers):
                drivers.setdefault(driver.pk, _driver(driver, window.starts_at, window.ends_at, start, end))
    for answer in calls:
        if answer.call.needs_driver and answer.member.may_drive_a(answer.call.vehicle_kind):
            drivers.setdefault(
                answer.member_id, _driver(answer.member, answer.call.starts_at, answer.call.ends_at, start, end)
            )
    return vehicles, sorted(drivers.values(), key=lambda d: (d.available_from, d.name))


def _driver(member: Member, starts: datetime, ends: datetime, day_start: datetime, day_end: datetime) -> FleetDriver:
    return FleetDriver(
        member_id=member.pk,
        name=member.name,
        mobile=member.mobile,
        licence=member.licence,
        e_tricycle_licence=member.e_tricycle_licence,
        team=member.team.name,
        available_from=max(starts, day_start),
        available_until=min(ends, day_end),
    )


def statistics_regions(user: Any) -> QuerySet[Region]:
    """The regions whose yearly figures a person may count: their region, and their teams'."""
    scope = scope_of(user)
    regions = Region.objects.filter(level__lte=Region.Level.TOWN).order_by("code")
    if scope.is_platform_admin:
        return regions
    condition = scope.q_region("code")
    for prefix in {t.region.code[:6] for t in visible_teams(user)}:
        condition |= Q(code__startswith=prefix)
    return regions.filter(condition)


def run_teams(user: Any) -> list[Team]:
    """The teams whose shifts and members the user runs (access.may_run_team)."""
    return [team for team in visible_teams(user) if may_run_team(user, team)]


def may_plan_fleet(user: Any) -> bool:
    """Who sees the borrowed vehicles and drivers (fleet_for_user): the people who plan with them."""
    return scope_of(user).has_role("county_coordinator", "org_admin", "site_staff")


def tabs_for(user: Any) -> set[str]:
    """The volunteer pages a person may open, so the tabs offer no page that refuses them."""
    tabs = {"teams", "calls", "cases"}
    if run_teams(user):
        tabs.add("roster")
    if may_plan_fleet(user):
        tabs.add("fleet")
    if statistics_regions(user).exists():
        tabs.add("statistics")
    return tabs
