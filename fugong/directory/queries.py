"""Read side of the directory, always scoped to what the user may see."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fugong.accounts.models import Membership, Role
from fugong.accounts.permissions import scope_of
from fugong.core.pinyin import normalise_query

from .models import ZONE_STRICTNESS, Organisation, Region, Site, ZoneStatus, ZoneStatusChange

# Who browses the directory: managers see organisations; staff also see sites.
ORGANISATION_BROWSERS = ("county_coordinator", "org_admin")
SITE_BROWSERS = (*ORGANISATION_BROWSERS, "site_staff")


def may_browse_organisations(user: Any) -> bool:
    return scope_of(user).has_role(*ORGANISATION_BROWSERS)


def may_browse_sites(user: Any) -> bool:
    return scope_of(user).has_role(*SITE_BROWSERS)


def regions() -> QuerySet[Region]:
    """Administrative divisions are public knowledge: every signed-in user may browse them."""
    return Region.objects.select_related("parent")


def region_subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.prefix, level__gte=region.level)


def zoned_regions(user: Any) -> QuerySet[Region]:
    """Regions whose lockdown status the user sets: inside those they coordinate (every one for
    platform admins, none for others)."""
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Region.objects.all()
    return Region.objects.filter(scope.q_region("code"))


def coordinated_regions(user: Any) -> QuerySet[Region]:
    """The regions the user is county coordinator of (their own page in the directory)."""
    coordinated = Membership.objects.filter(user=user, role=Role.COUNTY_COORDINATOR, region__isnull=False)
    return Region.objects.filter(pk__in=coordinated.values("region")).order_by("code")


def own_regions(user: Any) -> QuerySet[Region]:
    """Where the user works: the regions they coordinate, else their organisations' regions
    (the start of the region list; any other region is a search away)."""
    coordinated = coordinated_regions(user)
    if coordinated.exists():
        return coordinated
    organisations = Organisation.objects.filter(pk__in=scope_of(user).member_org_ids)
    return Region.objects.filter(pk__in=organisations.values("region")).select_related("parent").order_by("code")


def zone_counts(user: Any) -> dict[str, int]:
    """How many of the user's regions are closed, partly open and open."""
    counts = dict.fromkeys(ZoneStatus.values, 0)
    rows = zoned_regions(user).values("zone_status").annotate(n=Count("pk")).order_by()
    counts.update({row["zone_status"]: row["n"] for row in rows})
    return counts


def restricted_regions(user: Any) -> QuerySet[Region]:
    """The user's regions not open, the coarsest first (a county before its towns)."""
    return zoned_regions(user).exclude(zone_status=ZoneStatus.OPEN).order_by("level", "code")


def settable_zone_changes(user: Any) -> QuerySet[ZoneStatusChange]:
    """Changes in the regions whose status the user sets (any other is "not found")."""
    return ZoneStatusChange.objects.filter(region__in=zoned_regions(user)).select_related("region")


def scheduled_zone_changes(user: Any) -> QuerySet[ZoneStatusChange]:
    """Changes of lockdown status set for a later time in the user's regions, the soonest first."""
    return (
        ZoneStatusChange.objects.standing()
        .filter(region__in=zoned_regions(user), effective_at__gt=timezone.now())
        .select_related("region")
        .order_by("effective_at", "pk")
    )


def scheduled_zone_changes_within(region: Region) -> QuerySet[ZoneStatusChange]:
    """Changes due in a region and the regions inside it, the soonest first."""
    return (
        ZoneStatusChange.objects.standing()
        .filter(region__code__startswith=region.prefix, effective_at__gt=timezone.now())
        .select_related("region")
        .order_by("effective_at", "pk")
    )


def effective_zone_status(region: Region) -> str:
    """The strictest status of the region and every region above it."""
    statuses = [region.zone_status]
    parent = region.parent
    while parent is not None:
        statuses.append(parent.zone_status)
        parent = parent.parent
    return max(statuses, key=lambda s: ZONE_STRICTNESS[ZoneStatus(s)])


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    scope = scope_of(user)
    qs = Organisation.objects.select_related("region")
    if scope.is_platform_admin:
        return qs
    return qs.filter(scope.q_organisation("pk") | scope.q_region("region__code"))


def browsable_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose page the user opens: none for those who do not browse them, to
    whom an organisation's page answers 404 like another county's (a 403 would say it exists)."""
    if not may_browse_organisations(user):
        return Organisation.objects.none()
    return visible_organisations(user)


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.select_related("region").filter(scope_of(user).q_manages_organisation())


def visible_sites(user: Any) -> QuerySet[Site]:
    scope = scope_of(user)
    qs = Site.objects.select_related("organisation", "region")
    if scope.is_platform_admin:
        return qs
    return qs.filter(
        scope.q_organisation("organisation_id")
        | scope.q_region("organisation__region__code")
        | scope.q_region("region__code")
    )


def browsable_sites(user: Any) -> QuerySet[Site]:
    """The sites whose page (or API object) the user opens; none for those who do not browse
    sites, to whom a site answers 404 as if it did not exist."""
    if not may_browse_sites(user):
        return Site.objects.none()
    return visible_sites(user)


def manageable_sites(user: Any) -> QuerySet[Site]:
    return visible_sites(user).filter(scope_of(user).q_manages_organisation("organisation__"))


def search(qs: QuerySet[Any], query: str) -> QuerySet[Any]:
    """Match Chinese names, full pinyin or initials: 巴邱, baqiu, bqz."""
    needle = normalise_query(query)
    if not needle:
        return qs
    return qs.filter(Q(search_key__contains=needle) | Q(name__icontains=query.strip()))
