"""Who may see and run a bureau's deliveries. One place, used by queries, services, pages, API.

- Planners: platform admins, county coordinators over the bureau's region, the bureau's
  administrators and its site staff (market managers, network-point heads). They see shops in
  full (the owner's mobile too) because they phone them.
- Drivers and volunteers see their own route through its signed link, nothing else.
"""

from typing import Any

from django.db.models import Q

from fugong.accounts.permissions import scope_of
from fugong.directory.models import Organisation


def may_plan(user: Any, organisation: Organisation) -> bool:
    if user is None:
        return True  # the system itself (demo loader, tasks)
    scope = scope_of(user)
    return (
        scope.can_manage_organisation(organisation.pk, organisation.region.code)
        or organisation.pk in scope.staff_org_ids
    )


def q_planned_organisations(user: Any) -> Q:
    """Organisations whose deliveries the user runs (other rows filter on these)."""
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Q()
    return scope.q_region("region__code") | Q(pk__in=sorted(scope.admin_org_ids | scope.staff_org_ids))
