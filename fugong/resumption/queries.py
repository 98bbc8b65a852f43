"""What the index pages show, scoped to who may see a city's figures: coordinators over the
city or one of its counties, and the power companies inside it."""

from datetime import date
from typing import Any

from django.db.models import Max, Q, QuerySet

from fugong.accounts.permissions import scope_of
from fugong.directory.models import Organisation, Region

from .models import IndexFigure, IndexSetup


def visible_setups(user: Any) -> QuerySet[IndexSetup]:
    scope = scope_of(user)
    qs = IndexSetup.objects.select_related("region").order_by("region__code")
    if scope.is_platform_admin:
        return qs
    allowed = [s.pk for s in qs if _may_read(scope, s.region)]
    return qs.filter(pk__in=allowed)


def _may_read(scope: Any, region: Region) -> bool:
    if scope.covers_region(region.code):
        return True  # a coordinator over the city, or above it
    if any(prefix.startswith(region.prefix) for prefix in scope.region_prefixes):
        return True  # a county's coordinator sees the city's ranking it is part of
    # The companies' administrators and staff, as for their customers (power/access.py), not a
    # volunteer who happens to belong to one.
    return power_companies(region).filter(pk__in=scope.admin_org_ids | scope.staff_org_ids).exists()


def power_companies(region: Region) -> QuerySet[Organisation]:
    """The power companies inside a city: their administrators and staff read its index and see
    their customers."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.POWER_SUPPLY, region__code__startswith=region.prefix
    ).select_related("region")


def latest_day(setup: IndexSetup) -> date | None:
    return setup.figures.aggregate(day=Max("day"))["day"]


def computed_days(setup: IndexSetup) -> list[date]:
    """The days that have figures, newest first (the day picker's choices)."""
    return list(setup.figures.filter(industry="").order_by("-day").values_list("day", flat=True).distinct())


def day_of(days: list[date], wanted: str | None) -> tuple[date | None, bool]:
    """The day a page is about, of the computed `days` (newest first): `?day=` when it has
    figures, else the latest; and whether the day asked for was set aside (not a date, or not
    computed)."""
    if not wanted:
        return (days[0] if days else None), False
    try:
        day = date.fromisoformat(wanted)
    except ValueError:
        day = None
    if day in days:
        return day, False
    return (days[0] if days else None), True


def county_names(setup: IndexSetup) -> dict[str, str]:
    return dict(Region.objects.filter(code__startswith=setup.region.prefix, level=3).values_list("code", "name"))


def ranking(setup: IndexSetup, day: date) -> list[IndexFigure]:
    names = county_names(setup)
    rows = list(setup.figures.filter(day=day, industry="").order_by("rank", "county"))
    for row in rows:
        row.county_name = names.get(row.county, row.county)  # type: ignore[attr-defined]
    return rows


def series(setup: IndexSetup) -> dict[str, Any]:
    """Each county's index per day, for the line chart."""
    names = county_names(setup)
    figures = setup.figures.filter(industry="").order_by("day").values_list("day", "county", "index")
    days = sorted({day for day, _c, _i in figures})
    by_county: dict[str, dict[date, float]] = {}
    for day, county, index in figures:
        by_county.setdefault(county, {})[day] = round(index, 2)
    return {
        "days": [d.isoformat() for d in days],
        "series": [
            {"name": names.get(county, county), "data": [values.get(d) for d in days]}
            for county, values in sorted(by_county.items())
        ],
    }


def heatmap(setup: IndexSetup, day: date) -> dict[str, Any]:
    """Industry x county on a day, for the heat map."""
    names = county_names(setup)
    cells = setup.figures.filter(day=day).filter(~Q(industry="")).values_list("county", "industry", "index")
    counties = sorted({c for c, _i, _v in cells})
    industries = sorted({i for _c, i, _v in cells})
    return {
        "counties": [names.get(c, c) for c in counties],
        "industries": industries,
        "cells": [[counties.index(c), industries.index(i), round(v, 2)] for c, i, v in cells],
    }


def has_figures_to_show(user: Any) -> bool:
    """Whether the menu shows the index: someone may read a city's set-up."""
    return visible_setups(user).exists()
