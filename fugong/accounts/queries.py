"""Read side of accounts, scoped by the permission helper."""

from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditEntry, Membership, User
from .permissions import scope_of
from .services import can_manage_user


def visible_users(user: Any) -> QuerySet[User]:
    """Users who hold a role in what the viewer manages (and the viewer themself)."""
    scope = scope_of(user)
    qs = User.objects.prefetch_related("memberships__organisation", "memberships__region")
    if scope.is_platform_admin:
        return qs
    in_scope = Membership.objects.filter(
        scope.q_organisation("organisation_id", admin_only=True)
        | scope.q_region("organisation__region__code")
        | scope.q_region("region__code")
    )
    return qs.filter(Q(pk=scope.user_id) | Q(pk__in=in_scope.values("user_id"))).distinct()


def visible_audit_entries(user: Any) -> QuerySet[AuditEntry]:
    scope = scope_of(user)
    qs = AuditEntry.objects.select_related("actor")
    if scope.is_platform_admin:
        return qs
    if not (scope.admin_org_ids or scope.region_prefixes):
        return qs.none()
    return qs.filter(scope.q_organisation("organisation_id", admin_only=True) | scope.q_region("region_code"))


def can_view_audit(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_platform_admin or bool(scope.admin_org_ids or scope.region_prefixes)


def can_see_personal_data(viewer: Any, subject: User) -> bool:
    """Full mobile numbers only for the person themself and those who manage them."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.pk == subject.pk or can_manage_user(viewer, subject)
