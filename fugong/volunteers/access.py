"""Who may see and run which team. One place, used by queries, services, pages and the API.

- Coordinators of a team: platform admins, county coordinators over its region, the
  administrators and site staff of its organisation, and its leader.
- Members who sign in see their own teams.
- Mediation cases: only the case's team, and the coordinators above except site staff
  (a network-point clerk has no business with family disputes).
"""

from typing import Any

from django.db.models import Q

from fugong.accounts.permissions import scope_of

from .models import MediationCase, Team


def q_visible_teams(user: Any) -> Q:
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Q()
    return (
        scope.q_region("region__code")
        | Q(organisation_id__in=sorted(scope.admin_org_ids | scope.staff_org_ids))
        | Q(leader__user_id=scope.user_id, leader__left_on__isnull=True)
        | Q(members__user_id=scope.user_id, members__left_on__isnull=True)
    )


def may_coordinate_organisation(user: Any, organisation_id: int, region_code: str) -> bool:
    """Send calls for help, plan shifts, record for the teams of this organisation."""
    scope = scope_of(user)
    return scope.can_manage_organisation(organisation_id, region_code) or organisation_id in scope.staff_org_ids


def may_run_team(user: Any, team: Team) -> bool:
    """Change the team: members, offers, shifts, activities, the aid ledger."""
    if user is None:
        return True  # the system itself (demo loader, tasks)
    if may_coordinate_organisation(user, team.organisation_id, team.region.code):
        return True
    leader = team.leader
    return leader is not None and leader.is_active and leader.user_id == scope_of(user).user_id


def q_visible_cases(user: Any) -> Q:
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Q()
    return (
        scope.q_region("team__region__code")
        | Q(team__organisation_id__in=sorted(scope.admin_org_ids))
        | Q(team__members__user_id=scope.user_id, team__members__left_on__isnull=True)
    )


def may_see_case(user: Any, case: MediationCase) -> bool:
    if user is None:
        return True
    return MediationCase.objects.filter(q_visible_cases(user), pk=case.pk).exists()


def sees_party_contacts(user: Any, case: MediationCase) -> bool:
    """Parties' names and numbers in full: only the mediation team itself, who call them. Those who
    oversee the team (its organisation, the county) read the case with the parties masked."""
    scope = scope_of(user)
    return case.team.members.filter(user_id=scope.user_id or 0, left_on__isnull=True).exists()


def may_work_case(user: Any, team: Team) -> bool:
    """Open and record cases of a mediation team: its members and its coordinators (not site staff)."""
    if user is None:
        return True
    scope = scope_of(user)
    return (
        scope.can_manage_organisation(team.organisation_id, team.region.code)
        or team.members.filter(user_id=scope.user_id or 0, left_on__isnull=True).exists()
    )
