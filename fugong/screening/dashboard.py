"""Home-page cards of screening (screening.access):

- staff at a screened site: a colleague's fever nobody has acted on, the staff temperatures
  and disinfection rounds overdue, the referrals waiting at the door, today's check-ins;
- those who manage screened sites: how many screen, today's check-ins, where people wait and
  where a staff member has a fever.
"""

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import scope_of
from fugong.core.dashboard import Card, Line
from fugong.core.masking import mask_name

from . import queries, rules
from .access import q_managed_sites
from .models import CheckIn, Decision, Venue
from .services import logs

DOORS = 3  # a person works at one or two sites; cards for at most this many
LISTED = 5  # overdue logs, people or sites named on a card


def screening_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    venues = queries.visible_venues(user).filter(is_active=True)
    cards: list[Card] = []
    for venue in venues.filter(site_id__in=sorted(scope.staff_site_ids)).order_by("pk")[:DOORS]:
        cards.extend(_door_cards(venue))
    managed = list(venues.filter(q_managed_sites(user, prefix="site__")).order_by("site__name"))
    if managed:
        cards.append(_overview(managed))
    return cards


def _fever_card(venue: Venue) -> list[Card]:
    fevers = list(logs.open_fevers([venue]))
    if not fevers:
        return []
    return [
        Card(
            _("Staff with a fever") + f" · {venue.site.name}",
            str(len(fevers)),
            _("At or above %(bar)s °C: record what was done (sent home, measured again).")
            % {"bar": logs.fever_threshold(venue)},
            reverse("screening:hygiene", args=[venue.pk]),
            "alert",
            tuple(
                Line(str(f.staff), f"{f.temperature} °C · {_when(f.taken_at)}", tone="alert") for f in fevers[:LISTED]
            )
            + _more(len(fevers)),
        )
    ]


def _door_cards(venue: Venue) -> list[Card]:
    site = venue.site.name
    overdue = logs.overdue(venue)
    referrals = list(queries.open_referrals(venue).order_by("at")[: LISTED + 1])
    counts = queries.counts_today([venue]).get(venue.pk, dict.fromkeys(Decision.values, 0))
    hygiene = Card(
        _("Hygiene logs overdue") + f" · {site}",
        str(len(overdue)),
        _("Staff temperatures and disinfection rounds not recorded in time.")
        if overdue
        else _("Staff temperatures and disinfection rounds are up to date."),
        reverse("screening:hygiene", args=[venue.pk]),
        "alert" if overdue else "",
        tuple(Line(item.text, tone="alert") for item in overdue[:LISTED]) + _more(len(overdue)),
    )
    waiting = queries.open_referrals(venue).count() if len(referrals) > LISTED else len(referrals)
    door = Card(
        _("Referrals waiting") + f" · {site}",
        str(waiting),
        _("people at the door waiting for a decision by staff"),
        reverse("screening:console", args=[venue.pk]),
        "warn" if waiting else "",
        tuple(Line(mask_name(record.name) or _("Visitor"), _referred_for(record)) for record in referrals[:LISTED])
        + _more(waiting),
    )
    today = Card(
        _("Check-ins today") + f" · {site}",
        str(sum(counts.values())),
        _("%(admit)d admitted, %(refer)d referred, %(refuse)d refused") % counts,
        reverse("screening:checkins", args=[venue.pk]),
    )
    return [*_fever_card(venue), hygiene, door, today]


def _overview(venues: list[Venue]) -> Card:
    counts = queries.counts_today(venues)
    admitted = sum(c[Decision.ADMIT] for c in counts.values())
    total = sum(sum(c.values()) for c in counts.values())
    waiting = dict(queries.open_referrals_at(venues).values_list("venue_id").annotate(n=Count("pk")).order_by())
    fevers = logs.fevers_by_venue(venues)
    names = {venue.pk: venue.site.name for venue in venues}
    lines = tuple(
        Line(names[pk], _("%(n)d staff with a fever") % {"n": n}, reverse("screening:hygiene", args=[pk]), "alert")
        for pk, n in sorted(fevers.items(), key=lambda item: -item[1])[:LISTED]
    ) + tuple(
        Line(names[pk], _("%(n)d waiting") % {"n": n}, reverse("screening:console", args=[pk]), "warn")
        for pk, n in sorted(waiting.items(), key=lambda item: -item[1])[:LISTED]
    )
    return Card(
        _("Screened sites"),
        str(len(venues)),
        _("%(total)d check-ins today, %(admitted)d admitted; %(waiting)d people waiting for a decision")
        % {"total": total, "admitted": admitted, "waiting": sum(waiting.values())},
        reverse("screening:index"),
        "alert" if fevers else "warn" if waiting else "",
        lines,
    )


def _when(at: Any) -> str:
    """A time today, or with its day (a fever from yesterday afternoon is still open at 07:00)."""
    local = timezone.localtime(at)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else f"{local:%m-%d %H:%M}"


def _referred_for(record: CheckIn) -> str:
    """When and why: '09:12 · 健康码: 黄码'."""
    why = "; ".join(f"{r['label']}: {r['answer']}" for r in rules.reasons(record.results))
    return f"{timezone.localtime(record.at):%H:%M}" + (f" · {why}" if why else "")


def _more(count: int) -> tuple[Line, ...]:
    return (Line(_("and %(n)d more") % {"n": count - LISTED}),) if count > LISTED else ()
