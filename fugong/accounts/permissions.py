"""What a user may see and change: one scope per user, used by every query and service.

Queries filter with `Scope.q_*` so a list never shows what the user may not see; services
call `require(...)` before they write, so the API and the pages enforce the same rule.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Membership, Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_platform_admin: bool = False
    roles: frozenset[str] = frozenset()
    admin_org_ids: frozenset[int] = frozenset()  # organisation administrator of
    member_org_ids: frozenset[int] = frozenset()  # any role in
    region_prefixes: tuple[str, ...] = ()  # county coordinator over these code prefixes
    staff_site_ids: frozenset[int] = frozenset()
    staff_org_ids: frozenset[int] = frozenset()  # site staff of

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, *roles: str) -> bool:
        return self.is_platform_admin or bool(self.roles.intersection(roles))

    def covers_region(self, code: str) -> bool:
        return self.is_platform_admin or any(code.startswith(p) for p in self.region_prefixes)

    def q_region(self, code_field: str) -> Q:
        """Rows whose region code lies inside a coordinated region (none if not a coordinator)."""
        if not self.region_prefixes:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{code_field}__startswith": p}) for p in self.region_prefixes))

    def q_organisation(self, org_field: str, *, admin_only: bool = False) -> Q:
        ids = self.admin_org_ids if admin_only else self.member_org_ids
        return Q(**{f"{org_field}__in": sorted(ids)})

    def q_manages_organisation(self, path: str = "") -> Q:
        """Organisations this person may grant roles in: those they administer and those in a
        region they coordinate (all for a platform admin). `path` leads from the rows queried
        to the organisation, e.g. "organisation__" for sites."""
        if self.is_platform_admin:
            return Q()
        return self.q_organisation(f"{path}pk", admin_only=True) | self.q_region(f"{path}region__code")

    def can_manage_organisation(self, org_id: int, region_code: str) -> bool:
        return (
            self.is_platform_admin
            or org_id in self.admin_org_ids
            or any(region_code.startswith(p) for p in self.region_prefixes)
        )


ANONYMOUS = Scope(user_id=None)


def scope_of(user: Any) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_fugong_scope", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("region")
        .only("role", "organisation_id", "site_id", "region__code", "region__level")
    )
    scope = Scope(
        user_id=user.pk,
        is_platform_admin=user.is_superuser or any(m.role == Role.PLATFORM_ADMIN for m in memberships),
        roles=frozenset(m.role for m in memberships),
        admin_org_ids=frozenset(
            m.organisation_id for m in memberships if m.role == Role.ORG_ADMIN and m.organisation_id
        ),
        member_org_ids=frozenset(m.organisation_id for m in memberships if m.organisation_id),
        region_prefixes=tuple(
            sorted(m.region.prefix for m in memberships if m.role == Role.COUNTY_COORDINATOR and m.region)
        ),
        staff_site_ids=frozenset(m.site_id for m in memberships if m.site_id),
        staff_org_ids=frozenset(
            m.organisation_id for m in memberships if m.role == Role.SITE_STAFF and m.organisation_id
        ),
    )
    user._fugong_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after memberships change."""
    if hasattr(user, "_fugong_scope"):
        del user._fugong_scope


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this here."))
