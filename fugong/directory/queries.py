"""Read side of the directory, always scoped to what the user may see."""

from typing import Any

from django.db.models import Q, QuerySet

from fugong.accounts.permissions import scope_of
from fugong.core.pinyin import normalise_query

from .models import ZONE_STRICTNESS, Organisation, Region, Site, ZoneStatus

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


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    scope = scope_of(user)
    qs = Organisation.objects.select_related("region")
    if scope.is_platform_admin:
        return qs
    return qs.filter(scope.q_organisation("pk", admin_only=True) | scope.q_region("region__code"))


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


def manageable_sites(user: Any) -> QuerySet[Site]:
    return visible_sites(user).filter(organisation__in=manageable_organisations(user))


def search(qs: QuerySet[Any], query: str) -> QuerySet[Any]:
    """Match Chinese names, full pinyin or initials: 巴邱, baqiu, bqz."""
    needle = normalise_query(query)
    if not needle:
        return qs
    return qs.filter(Q(search_key__contains=needle) | Q(name__icontains=query.strip()))
