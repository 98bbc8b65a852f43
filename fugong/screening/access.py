"""Who may do what at a screened site. One place, used by queries, services, pages and the API.

- Screen people (console, scanners, referrals, logs): the site's own staff, the administrators
  of its organisation, county coordinators over its region, platform admins.
- Set a site's policy, open screening, rotate its code: the same without site staff.
- Set a region's policy: coordinators over that region.
- See full mobiles and ID numbers of those checked (contact tracing): administrators and
  coordinators, never site staff, whose lists are masked.
- Visitors check in through the signed venue code without an account.
"""

from typing import Any

from django.db.models import Q

from fugong.accounts.permissions import scope_of
from fugong.directory.models import Region, Site

from .models import Venue


def q_managed_sites(user: Any, prefix: str = "") -> Q:
    """Sites (or, with `prefix="site__"`, venues) whose screening the user sets up."""
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Q()
    return scope.q_region(f"{prefix}region__code") | Q(**{f"{prefix}organisation_id__in": sorted(scope.admin_org_ids)})


def q_screened_sites(user: Any, prefix: str = "") -> Q:
    """Sites (or venues) whose door the user works: those they manage and their own site."""
    if scope_of(user).is_platform_admin:
        return Q()
    return q_managed_sites(user, prefix) | Q(**{f"{prefix}pk__in": sorted(scope_of(user).staff_site_ids)})


def may_manage_site(user: Any, site: Site) -> bool:
    if user is None:
        return True  # the system itself (demo loader, tasks)
    return scope_of(user).can_manage_organisation(site.organisation_id, site.region.code)


def may_screen(user: Any, venue: Venue) -> bool:
    if user is None:
        return True
    return may_manage_site(user, venue.site) or venue.site_id in scope_of(user).staff_site_ids


def may_set_region_policy(user: Any, region: Region) -> bool:
    return user is None or scope_of(user).covers_region(region.code)


def sees_personal_data(user: Any, venue: Venue) -> bool:
    """Full mobile and ID numbers, for contact tracing."""
    return may_manage_site(user, venue.site)
