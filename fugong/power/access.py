"""Who may do what in the power module. One place, used by queries, services, pages and the API.

- Serve customers (accounts, applications, the hall's windows, the priority line): the
  company's administrators and its staff (site staff of the company), platform admins.
- Set the rules, the tariff, the windows, import accounts and send notices: administrators.
- Read figures and lists: also county coordinators over the company's region.
- Full mobiles, addresses of registered residents: those who serve; lists are always masked.
"""

from typing import Any

from django.db.models import Q, QuerySet

from fugong.accounts.permissions import scope_of
from fugong.directory.models import Organisation

POWER = Organisation.Kind.POWER_SUPPLY


def may_administer(user: Any, organisation: Organisation) -> bool:
    if user is None:
        return True  # the system itself: the demo loader, daily jobs
    scope = scope_of(user)
    return scope.is_platform_admin or organisation.pk in scope.admin_org_ids


def may_serve(user: Any, organisation: Organisation) -> bool:
    return may_administer(user, organisation) or organisation.pk in scope_of(user).staff_org_ids


def may_read(user: Any, organisation: Organisation) -> bool:
    return may_serve(user, organisation) or scope_of(user).covers_region(organisation.region.code)


def sees_personal_data(user: Any, organisation: Organisation) -> bool:
    return may_serve(user, organisation)


def q_readable(user: Any, prefix: str = "") -> Q:
    """Power companies (or, with a prefix such as "organisation__", their rows) the user reads."""
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Q()
    return scope.q_region(f"{prefix}region__code") | Q(
        **{f"{prefix}pk__in": sorted(scope.admin_org_ids | scope.staff_org_ids)}
    )


def readable_companies(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(q_readable(user), kind=POWER, is_active=True).select_related("region")


def served_companies(user: Any) -> list[Organisation]:
    """The companies whose customers the user serves (staff and administrators)."""
    return [company for company in readable_companies(user) if may_serve(user, company)]


def works_with_power(user: Any) -> bool:
    """Whether the power pages are for this person (the menu shows them)."""
    return readable_companies(user).exists()
