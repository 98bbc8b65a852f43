"""Home-page cards of the resumption index (resumption.queries): a city's latest day, counties
by rank. Those over the whole city see the share of its accounts resumed; those of one county
(its coordinator, its power company's people) see their county's index and rank."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from fugong.accounts.permissions import Scope, scope_of
from fugong.core.dashboard import Card, Line

from . import queries
from .models import IndexFigure, IndexSetup

CITIES = 3


def resumption_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    cards = []
    for setup in queries.visible_setups(user)[:CITIES]:
        url = f"{reverse('resumption:dashboard')}?setup={setup.pk}"
        day = queries.latest_day(setup)
        if day is None:
            cards.append(Card(_("Resumption index") + f" · {setup.region.name}", "—", _("Not computed yet."), url))
            continue
        ranking = queries.ranking(setup, day)
        own = _own_counties(scope, setup)
        lines = tuple(
            Line(f"{row.rank}. {row.county_name}", f"{row.index:.2f}", own=row.county in own)  # type: ignore[attr-defined]
            for row in ranking
        )
        mine = [row for row in ranking if row.county in own]
        if scope.covers_region(setup.region.code) or not mine:
            cards.append(_city(setup, ranking, day.strftime("%m-%d"), url, lines))
        for row in mine:
            cards.append(
                Card(
                    _("Resumption index") + f" · {row.county_name}",  # type: ignore[attr-defined]
                    f"{row.index:.2f}",
                    _("%(day)s: rank %(rank)d of %(n)d in %(city)s")
                    % {"day": day.strftime("%m-%d"), "rank": row.rank, "n": len(ranking), "city": setup.region.name},
                    url,
                    lines=lines,
                )
            )
    return cards


def _city(setup: IndexSetup, ranking: list[IndexFigure], day: str, url: str, lines: tuple[Line, ...]) -> Card:
    """The city's own figure is the share of its accounts resumed (its index would need the
    consumption behind each county's, which is not kept)."""
    resumed, counted = sum(row.resumed for row in ranking), sum(row.accounts for row in ranking)
    share = f"{100 * resumed / counted:.2f}" if counted else "—"
    return Card(
        _("Resumed accounts (%)") + f" · {setup.region.name}",
        share,
        _("%(day)s: %(resumed)d of %(counted)d accounts; counties by index")
        % {
            "day": day,
            "resumed": resumed,
            "counted": counted,
        },
        url,
        lines=lines,
    )


def _own_counties(scope: Scope, setup: IndexSetup) -> set[str]:
    """Division codes of the counties the user belongs to: those they coordinate, those of the
    power companies they are in."""
    counties = {prefix[:6] for prefix in scope.region_prefixes if len(prefix) >= 6}
    companies = queries.power_companies(setup.region).filter(pk__in=sorted(scope.member_org_ids))
    counties |= {code[:6] for code in companies.values_list("region__code", flat=True)}
    return counties
