"""The bureau's shops as a broadcast audience (notify's registry): by network point, by town,
with orders held or a delivery tomorrow. Each message can name the shop and its owner."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.directory.models import Region, Site
from fugong.notify import kinds
from fugong.notify.recipients import Audience, AudienceFilter, Recipient, register

from .models import LIVE_PLAN_STATUSES, OPEN_ORDER_STATUSES, OrderStatus, Shop
from .queries import runs_deliveries, visible_shops

# A notice the bureau writes to its shops itself (the demo's: orders held in a closed area).
SHOP_NOTICE = kinds.register("shop_notice", _("Notice to shops"))

HELD, TOMORROW, WAITING = "held", "tomorrow", "waiting"
ORDER_CHOICES = (
    (HELD, _("With orders held (area closed)")),
    (TOMORROW, _("With a delivery tomorrow")),
    (WAITING, _("With orders not yet delivered")),
)


def _shops(user: Any) -> QuerySet[Shop]:
    return visible_shops(user).filter(is_active=True).exclude(mobile="")


def _network_points(user: Any) -> list[tuple[str, str]]:
    points = Site.objects.filter(pk__in=_shops(user).values("network_point_id")).order_by("name")
    return [(str(point.pk), point.name) for point in points]


def _towns(user: Any) -> list[tuple[str, str]]:
    """Towns with shops: a shop's region is its town or a village in it (the first 9 digits)."""
    codes = {code[:9] for code in _shops(user).values_list("region__code", flat=True)}
    towns = Region.objects.filter(code__in=codes, level=Region.Level.TOWN).order_by("code")
    return [(town.code, town.name) for town in towns]


def _orders(user: Any) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ORDER_CHOICES]


def select_shops(user: Any, chosen: Mapping[str, str]) -> QuerySet[Shop]:
    shops = _shops(user)
    if chosen.get("network_point"):
        shops = shops.filter(network_point_id=int(chosen["network_point"]))
    if chosen.get("town"):
        shops = shops.filter(region__code__startswith=chosen["town"])
    orders = chosen.get("orders")
    if orders == HELD:
        shops = shops.filter(orders__status=OrderStatus.HELD)
    elif orders == TOMORROW:
        tomorrow = timezone.localdate() + timedelta(days=1)
        shops = shops.filter(orders__plans__day=tomorrow, orders__plans__status__in=LIVE_PLAN_STATUSES)
    elif orders == WAITING:
        shops = shops.filter(orders__status__in=OPEN_ORDER_STATUSES)
    return shops.distinct().order_by("network_point__name", "licence_number")


def _recipients(user: Any, chosen: Mapping[str, str]) -> list[Recipient]:
    rows = select_shops(user, chosen).values_list("mobile", "name", "owner")
    return [Recipient(mobile, {"shop": name, "owner": owner}) for mobile, name, owner in rows]


def register_audiences() -> None:
    register(
        Audience(
            "delivery_shops",
            _("The bureau's shops"),
            _recipients,
            filters=(
                AudienceFilter("network_point", _("Network point"), _network_points),
                AudienceFilter("town", _("Town"), _towns),
                AudienceFilter("orders", _("Orders"), _orders),
            ),
            fills=("shop", "owner"),
            may_use=runs_deliveries,
        )
    )
