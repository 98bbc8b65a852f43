from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fugong.accounts.permissions import scope_of
from fugong.core.dashboard import Card

from . import queries
from .models import Region, ZoneStatus


def directory_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    cards = []
    if scope.is_platform_admin or scope.region_prefixes:
        regions = Region.objects.all()
        if not scope.is_platform_admin:
            regions = regions.filter(scope.q_region("code"))
        counts = dict(regions.values_list("zone_status").annotate(n=Count("pk")))
        closed = counts.get(ZoneStatus.CLOSED, 0)
        partly = counts.get(ZoneStatus.PARTLY_OPEN, 0)
        cards.append(
            Card(
                _("Regions under lockdown"),
                str(closed + partly),
                _("%(closed)d closed, %(partly)d partly open") % {"closed": closed, "partly": partly},
                reverse("directory:regions"),
                "alert" if closed else ("warn" if partly else ""),
            )
        )
    if scope.has_role("county_coordinator", "org_admin", "site_staff"):
        cards.append(
            Card(
                _("Sites"),
                str(queries.visible_sites(user).filter(is_active=True).count()),
                _("active sites you can see"),
                reverse("directory:sites"),
            )
        )
    return cards
