"""Home-page cards of the directory: for those who set lockdown statuses, the regions not open
and the changes scheduled."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import scope_of
from fugong.core.dashboard import Card, Line

from . import queries
from .models import ZoneStatus

LISTED = 5  # regions or changes named on a card


def directory_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    if not (scope.is_platform_admin or scope.region_prefixes):
        return []
    own = queries.coordinated_regions(user).first()
    home = reverse("directory:region", args=[own.code]) if own else reverse("directory:regions")
    counts = queries.zone_counts(user)
    closed, partly = counts[ZoneStatus.CLOSED], counts[ZoneStatus.PARTLY_OPEN]
    restricted = [
        Line(region.name, region.get_zone_status_display(), reverse("directory:region", args=[region.code]))
        for region in queries.restricted_regions(user)[:LISTED]
    ]
    cards = [
        Card(
            _("Regions under lockdown"),
            str(closed + partly),
            _("%(closed)d closed, %(partly)d partly open") % {"closed": closed, "partly": partly},
            home,
            "alert" if closed else ("warn" if partly else ""),
            tuple(restricted),
        )
    ]
    scheduled = queries.scheduled_zone_changes(user)
    if count := scheduled.count():
        cards.append(
            Card(
                _("Lockdown changes scheduled"),
                str(count),
                _("They apply by themselves at the time set."),
                home,
                lines=tuple(
                    Line(
                        f"{change.region.name} → {change.get_status_display()}",
                        f"{timezone.localtime(change.effective_at):%m-%d %H:%M}",
                        reverse("directory:region", args=[change.region.code]),
                    )
                    for change in scheduled[:LISTED]
                ),
            )
        )
    return cards
