"""The members of the mutual-aid groups and volunteer teams a person runs, as a broadcast
audience (notify's registry): by team, functional group, skill and village. Each message can
name the member and their team."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.directory.models import Region
from fugong.notify.recipients import Audience, AudienceFilter, Recipient, register

from .models import FunctionalGroup, Member, Skill
from .queries import run_teams


def _members(user: Any) -> QuerySet[Member]:
    """Current members with a mobile, of the teams the person runs (access.may_run_team)."""
    teams = [team.pk for team in run_teams(user) if team.is_active]
    return Member.objects.filter(team_id__in=teams, left_on__isnull=True).exclude(mobile="")


def _teams(user: Any) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in sorted(run_teams(user), key=lambda t: t.name) if team.is_active]


def _groups(user: Any) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in FunctionalGroup.choices]


def _skills(user: Any) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Skill.choices]


def _villages(user: Any) -> list[tuple[str, str]]:
    villages = Region.objects.filter(pk__in=_members(user).values("village_id")).order_by("code")
    return [(str(village.pk), village.name) for village in villages]


def select_members(user: Any, chosen: Mapping[str, str]) -> list[Member]:
    members = _members(user).select_related("team").order_by("team__name", "name")
    if chosen.get("team"):
        members = members.filter(team_id=int(chosen["team"]))
    if chosen.get("group"):
        members = members.filter(group=chosen["group"])
    if chosen.get("village"):
        members = members.filter(village_id=int(chosen["village"]))
    skill = chosen.get("skill")
    # Skills are a JSON list: matched here, the same on every database.
    return [member for member in members if not skill or skill in member.skills]


def _recipients(user: Any, chosen: Mapping[str, str]) -> list[Recipient]:
    return [Recipient(m.mobile, {"name": m.name, "team": m.team.name}) for m in select_members(user, chosen)]


def register_audiences() -> None:
    register(
        Audience(
            "volunteer_members",
            _("Members of mutual-aid groups and volunteer teams"),
            _recipients,
            filters=(
                AudienceFilter("team", _("Team"), _teams),
                AudienceFilter("group", _("Group"), _groups),
                AudienceFilter("skill", _("Skill"), _skills),
                AudienceFilter("village", _("Village"), _villages),
            ),
            fills=("name", "team"),
            may_use=lambda user: bool(run_teams(user)),
        )
    )
