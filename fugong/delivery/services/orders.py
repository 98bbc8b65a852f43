"""Shops and their orders: keeping them, and holding orders while the shop's area is closed.

An order in a region under static management (or inside one) is held: it cannot be planned.
When the region opens (or partly opens) the order is released to the backlog. The directory
announces status changes (`zone_status_changed`); a periodic sweep catches anything missed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.pinyin import search_key
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile
from fugong.directory.models import Organisation, Region, Site

from ..access import may_plan
from ..models import Order, OrderLine, OrderStatus, PlanStatus, RouteStop, Shop
from ..queries import closed_prefixes, q_in_closed_area
from . import printing

SHOP_FIELDS = (
    "licence_number",
    "name",
    "owner",
    "mobile",
    "address",
    "region",
    "latitude",
    "longitude",
    "network_point",
    "account_manager",
    "opens_at",
    "closes_at",
    "service_minutes",
    "is_active",
)


@durable
def save_shop(actor: User | None, organisation: Organisation, shop: Shop | None = None, **fields: Any) -> Shop:
    require(may_plan(actor, organisation))
    creating = shop is None
    shop = shop or Shop(organisation=organisation)
    before = None if creating else audit.snapshot(shop, SHOP_FIELDS)
    for name, value in fields.items():
        if name not in SHOP_FIELDS:
            raise TypeError(name)
        setattr(shop, name, value)
    errors: dict[str, str] = {}
    try:
        shop.mobile = clean_mobile(shop.mobile)
    except ValidationError as invalid:
        errors["mobile"] = " ".join(invalid.messages)
    point: Site | None = fields.get("network_point") or (shop.network_point if shop.network_point_id else None)
    if point is not None and (point.organisation_id != organisation.pk or point.kind != Site.Kind.NETWORK_POINT):
        errors["network_point"] = _("Choose one of the bureau's network points.")
    if errors:
        raise ValidationError(errors)
    shop.search_key = search_key(shop.name, shop.owner, shop.licence_number)
    shop.full_clean(exclude=["organisation"])
    shop.save()
    changes = audit.diff(before, audit.snapshot(shop, SHOP_FIELDS)) if before else None
    audit.record(
        actor, "shop.create" if creating else "shop.update", shop, changes=changes, organisation_id=organisation.pk
    )
    return shop


MAX_CARTONS_PER_LINE = 100_000
MAX_LINE_AMOUNT = Decimal(100_000_000)  # the column holds 10 digits with 2 decimals


@dataclass(frozen=True)
class Line:
    brand: str
    quantity: int
    amount: Decimal = Decimal(0)


@durable
def place_order(actor: User | None, shop: Shop, *, number: str, placed_on: date, lines: list[Line]) -> Order:
    """A shop's order; held at once if the shop's area is closed."""
    require(may_plan(actor, shop.organisation))
    if not lines:
        raise ValidationError({"lines": _("An order needs at least one line.")})
    brands = [line.brand.strip() for line in lines]
    if any(not b for b in brands):
        raise ValidationError({"brand": _("Every line needs a brand.")})
    if len(set(brands)) != len(brands):
        raise ValidationError({"brand": _("A brand appears twice in the order; add the quantities up.")})
    if any(not 0 < line.quantity <= MAX_CARTONS_PER_LINE for line in lines):
        raise ValidationError(
            {"quantity": _("Quantities are whole cartons, from 1 to %(max)d.") % {"max": MAX_CARTONS_PER_LINE}}
        )
    if any(not 0 <= line.amount < MAX_LINE_AMOUNT for line in lines):
        raise ValidationError({"amount": _("An amount is at least 0 and below 100,000,000 yuan.")})
    if Order.objects.filter(organisation=shop.organisation, number=number).exists():
        raise ValidationError({"number": _("Order %(number)s already exists.") % {"number": number}})
    held = in_closed_area(shop.region)
    order = Order.objects.create(
        organisation=shop.organisation,
        shop=shop,
        number=number,
        placed_on=placed_on,
        status=OrderStatus.HELD if held else OrderStatus.PLACED,
        held_since=timezone.now() if held else None,
        cartons=sum(line.quantity for line in lines),
        amount=sum((line.amount for line in lines), Decimal(0)),
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, brand=b, quantity=line.quantity, amount=line.amount)
            for b, line in zip(brands, lines, strict=True)
        ]
    )
    audit.record(
        actor, "order.place", order, changes={"cartons": [None, order.cartons]}, organisation_id=shop.organisation_id
    )
    return order


def in_closed_area(region: Region) -> bool:
    return any(region.code.startswith(prefix) for prefix in closed_prefixes())


@durable
def sync_holds() -> tuple[int, int]:
    """Hold the backlog's orders in closed areas, release the held ones whose area opened
    (the safety net run on a schedule). Returns (held, released)."""
    return update_holds()


def update_holds(because_of: Region | None = None) -> tuple[int, int]:
    """`sync_holds` inside the caller's transaction: a zone's change, a plan's closing.
    Audited against the region whose change caused it."""
    prefixes = closed_prefixes()
    closed = q_in_closed_area(prefixes)
    now = timezone.now()
    held = Order.objects.filter(closed, status=OrderStatus.PLACED).update(status=OrderStatus.HELD, held_since=now)
    released = (
        Order.objects.filter(status=OrderStatus.HELD).exclude(closed).update(status=OrderStatus.PLACED, held_since=None)
    )
    if because_of is not None and (held or released):
        changes = {"orders_held": [0, held], "orders_released": [0, released]}
        audit.record(None, "order.holds", because_of, changes=changes, region_code=because_of.code)
    return held, released


def on_zone_status_changed(sender: Any, region: Region, status: str, **kwargs: Any) -> None:
    update_holds(because_of=region)
    # Published plans with stops there mark them held (or no longer): their paper is made again.
    stops = RouteStop.objects.filter(
        route__plan__status=PlanStatus.PUBLISHED, shop__region__code__startswith=region.code
    )
    printing.print_later(stops.values_list("route__plan", flat=True).distinct())
