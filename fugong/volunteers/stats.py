"""The figures the federation reports each year (teams, members, activities, person-times,
people served, parcels, packages, disputes settled), counted from the records for a period
and a region, one row per region one level down (or per team inside a town)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from fugong.core.spreadsheets import Column
from fugong.directory.models import Region

from .models import SETTLED, Activity, AidEntry, AidItem, MediationCase, Member, Team

COLUMNS = [
    Column("area", _("Area")),
    Column("teams", _("Teams")),
    Column("members", _("Members")),
    Column("activities", _("Activities")),
    Column("person_times", _("Person-times")),
    Column("people_served", _("People served")),
    Column("mother_parcels", _("Mother parcels handed out")),
    Column("gift_packages", _("Gift packages handed out")),
    Column("disputes_settled", _("Disputes settled")),
]
FIGURES = [c.field for c in COLUMNS[1:]]


@dataclass
class Line:
    area: str
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))

    def as_dict(self) -> dict[str, object]:
        return {"area": self.area, **self.figures}


@dataclass
class Report:
    region: Region
    first_day: date
    last_day: date
    lines: list[Line]
    total: Line


def report(teams: QuerySet[Team], region: Region, first_day: date, last_day: date) -> Report:
    """`teams` is what the reader may see; only those inside `region` are counted."""
    chosen = list(
        teams.filter(region__code__startswith=region.prefix).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lte=last_day)
        )
    )
    ids = [t.pk for t in chosen]
    per_team: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for team in chosen:
        per_team[team.pk]["teams"] = 1 if team.is_active else 0
    members = (
        Member.objects.filter(team_id__in=ids)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=last_day))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first_day))
        .values_list("team_id")
        .annotate(n=Count("pk"))
    )
    for team_id, n in members:
        per_team[team_id]["members"] = n
    activities = (
        Activity.objects.filter(team_id__in=ids, held_on__range=(first_day, last_day))
        .values_list("team_id")
        .annotate(n=Count("pk", distinct=True), served=Sum("people_served"))
    )
    for team_id, n, served in activities:
        per_team[team_id]["activities"] = n
        per_team[team_id]["people_served"] = served or 0
    person_times = (
        Activity.participants.through.objects.filter(
            activity__team_id__in=ids, activity__held_on__range=(first_day, last_day)
        )
        .values_list("activity__team_id")
        .annotate(n=Count("pk"))
    )
    for team_id, n in person_times:
        per_team[team_id]["person_times"] = n
    handed_out = (
        AidEntry.objects.filter(team_id__in=ids, on__range=(first_day, last_day), quantity__lt=0)
        .values_list("team_id", "item")
        .annotate(n=Sum("quantity"))
    )
    for team_id, item, n in handed_out:
        if item == AidItem.MOTHER_PARCEL:
            per_team[team_id]["mother_parcels"] = -n
        elif item == AidItem.GIFT_PACKAGE:
            per_team[team_id]["gift_packages"] = -n
    settled = (
        MediationCase.objects.filter(team_id__in=ids, outcome__in=SETTLED, closed_on__range=(first_day, last_day))
        .values_list("team_id")
        .annotate(n=Count("pk"))
    )
    for team_id, n in settled:
        per_team[team_id]["disputes_settled"] = n
    return Report(region, first_day, last_day, *_roll_up(region, chosen, per_team))


def _roll_up(region: Region, teams: list[Team], per_team: dict[int, dict[str, int]]) -> tuple[list[Line], Line]:
    """One line per region one level below the chosen one; inside a town or village, per team."""
    below = region.level + 1
    by_area: dict[str, Line] = {}
    if below > Region.Level.TOWN:
        for team in sorted(teams, key=lambda t: t.name):
            by_area[team.name] = Line(team.name, dict(per_team[team.pk]))
    else:
        width = Region.PREFIX_LENGTH[below]
        prefixes = {team.region.code[:width] for team in teams}
        names = {r.code[:width]: r.name for r in Region.objects.filter(level=below) if r.code[:width] in prefixes}
        for team in sorted(teams, key=lambda t: t.region.code):
            key = team.region.code[:width]
            line = by_area.setdefault(key, Line(names.get(key) or team.region.name))
            for name in FIGURES:
                line.figures[name] += per_team[team.pk][name]
    total = Line(str(_("Total")))
    for line in by_area.values():
        for name in FIGURES:
            total.figures[name] += line.figures[name]
    return list(by_area.values()), total
