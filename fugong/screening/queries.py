"""Read side of screening, shared by pages, the API and other modules (volunteers' shifts)."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from fugong.accounts.models import Membership, Role
from fugong.accounts.permissions import scope_of
from fugong.core.clock import day_bounds
from fugong.directory.models import Region, Site

from .access import q_managed_sites, q_screened_sites
from .models import AdmissionPolicy, CheckIn, DailyCount, Decision, Venue


def visible_venues(user: Any) -> QuerySet[Venue]:
    return Venue.objects.filter(q_screened_sites(user, prefix="site__")).select_related(
        "site__region", "site__organisation"
    )


def traceable_venues(user: Any) -> QuerySet[Venue]:
    """Screened sites whose visitors a user may trace by full number: those they manage, as
    administrator of the organisation or coordinator of the region (access.sees_personal_data)."""
    return visible_venues(user).filter(q_managed_sites(user, prefix="site__"))


def visible_policies(user: Any) -> QuerySet[AdmissionPolicy]:
    """Admission policies of the sites whose door the user works and of the regions they
    coordinate: those whose versions they see (and may be told they cannot withdraw)."""
    scope = scope_of(user)
    if scope.is_platform_admin:
        return AdmissionPolicy.objects.all()
    sites = Site.objects.filter(q_screened_sites(user))
    return AdmissionPolicy.objects.filter(
        Q(site__in=sites) | (Q(region__isnull=False) & scope.q_region("region__code"))
    )


def sites_to_open(user: Any) -> QuerySet[Site]:
    """Sites the user manages that do not screen yet (administrators and coordinators)."""
    return Site.objects.filter(q_managed_sites(user), is_active=True, venue__isnull=True).select_related("organisation")


def policy_regions(user: Any) -> QuerySet[Region]:
    """Regions whose region-wide admission policy the user sets: those they coordinate; for
    platform administrators, those that have one."""
    if scope_of(user).is_platform_admin:
        with_policy = AdmissionPolicy.objects.filter(region__isnull=False).values("region")
        return Region.objects.filter(pk__in=with_policy).order_by("code")
    coordinated = Membership.objects.filter(user=user, role=Role.COUNTY_COORDINATOR, region__isnull=False)
    return Region.objects.filter(pk__in=coordinated.values("region")).order_by("code")


def counts_today(venues: list[Venue]) -> dict[int, dict[str, int]]:
    """{venue id: {decision: n}} for today, by final decision (referrals still open as refer)."""
    start, end = day_bounds(timezone.localdate())
    rows = (
        CheckIn.objects.filter(venue__in=venues, at__gte=start, at__lt=end)
        .values("venue_id", "final_decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Decision.values, 0))
    for row in rows:
        counts[row["venue_id"]][row["final_decision"]] = row["n"]
    return counts


def recent_checkins(venue: Venue, limit: int = 30) -> QuerySet[CheckIn]:
    start, end = day_bounds(timezone.localdate())
    return CheckIn.objects.filter(venue=venue, at__gte=start, at__lt=end).select_related("checked_by")[:limit]


def open_referrals(venue: Venue) -> QuerySet[CheckIn]:
    return open_referrals_at([venue])


def open_referrals_at(venues: Any) -> QuerySet[CheckIn]:
    """Today's referrals nobody has decided yet: people waiting at these doors."""
    start, _end = day_bounds(timezone.localdate())
    return CheckIn.objects.filter(venue__in=venues, decision=Decision.REFER, resolved_at__isnull=True, at__gte=start)


def daily_series(venue: Venue, days: int = 30) -> list[dict[str, Any]]:
    """Check-ins per day and final decision for the last `days` days: from the records while
    they are kept, from the kept counts after."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    start, _end = day_bounds(first)
    table: dict[date, dict[str, int]] = {}
    for count in DailyCount.objects.filter(venue=venue, day__gte=first):
        table.setdefault(count.day, dict.fromkeys(Decision.values, 0))[count.decision] = count.count
    live: Any = (
        CheckIn.objects.filter(venue=venue, at__gte=start)
        .annotate(day=TruncDate("at"))
        .values("day", "final_decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    recounted: set[date] = set()
    for row in live:
        if row["day"] not in recounted:
            table[row["day"]] = dict.fromkeys(Decision.values, 0)
            recounted.add(row["day"])
        table[row["day"]][row["final_decision"]] = row["n"]
    return [
        {"day": first + timedelta(days=i), **table.get(first + timedelta(days=i), dict.fromkeys(Decision.values, 0))}
        for i in range(days)
    ]


def admissions_today(site: Site, mobiles: list[str]) -> dict[str, CheckIn]:
    """Each of these people's latest check-in at the site today, by mobile (E.164)."""
    wanted = [m for m in mobiles if m]
    if not wanted:
        return {}
    start, end = day_bounds(timezone.localdate())
    latest: dict[str, CheckIn] = {}
    for record in (
        CheckIn.objects.filter(venue__site=site, mobile__in=wanted, at__gte=start, at__lt=end)
        .select_related("venue__site")
        .order_by("at")
    ):
        latest[record.mobile] = record
    return latest


def search_person(venues: QuerySet[Venue], mobile_or_id: str) -> QuerySet[CheckIn]:
    """Every kept check-in of one person (contact tracing), by full mobile or ID number."""
    return (
        CheckIn.objects.filter(Q(mobile=mobile_or_id) | Q(id_number=mobile_or_id) | Q(companion_mobile=mobile_or_id))
        .filter(venue__in=venues)
        .select_related("venue__site__organisation")
    )


def has_screening_pages(user: Any) -> bool:
    """Whether the screening pages are for this person (the menu shows them): a screened site,
    a site they may open screening at, or a region whose rules they set. A supply station's
    field crew, staff of a site that screens nobody, have none."""
    return visible_venues(user).exists() or sites_to_open(user).exists() or policy_regions(user).exists()
