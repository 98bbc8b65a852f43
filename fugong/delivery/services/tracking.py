"""Shops ask, Fugong answers: a shop identifies with its licence number and the last four
digits of its mobile and sees its orders' state and expected time. Guessing is throttled per
address and per licence with the same counter as failed sign-ins (core.throttle), and a wrong
answer says nothing about which half was wrong."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from fugong.core import throttle
from fugong.core.validators import national_mobile

from ..models import FINISHED_ORDER_STATUSES, Order, PlanStatus, RouteStop, Shop
from .dispatch import expected_arrival

RECENT = timedelta(days=7)  # finished orders shown this long after delivery
# Failed tries in the sign-in window. Per licence is the tight one: 10,000 possible last digits,
# and spreading guesses over addresses does not help. Per address only stops one machine walking
# through licences; it is high because many shops sit behind one address (a carrier's NAT, a
# market's Wi-Fi) and a shop that mistypes must not lock its neighbours out.
ATTEMPTS_PER_ADDRESS = 200
ATTEMPTS_PER_LICENCE = 10


@dataclass(frozen=True)
class OrderState:
    order: Order
    expected: datetime | None  # when the goods should arrive (published plans only)
    delivered_at: datetime | None
    stops_before: int | None  # deliveries still ahead of this shop on its route


def _address_key(address: str | None) -> str:
    return f"shop-status:{address or 'unknown'}"[:80]


def _licence_key(licence_number: str) -> str:
    return f"shop-status-licence:{licence_number}"[:80]


def _limits(licence_number: str, address: str | None) -> tuple[throttle.Limit, throttle.Limit]:
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    return (
        throttle.Limit(_address_key(address), ATTEMPTS_PER_ADDRESS, window),
        throttle.Limit(_licence_key(licence_number.strip()), ATTEMPTS_PER_LICENCE, window),
    )


def blocked(licence_number: str, address: str | None) -> bool:
    return throttle.over(*_limits(licence_number, address))


def find_shop(licence_number: str, last_digits: str, address: str | None) -> Shop | None:
    """The shop if both match (licence numbers are unique per bureau, so every bureau's shop
    with that number is tried); a miss is counted against the address and the licence."""
    licence_number, last_digits = licence_number.strip(), last_digits.strip()
    if licence_number and len(last_digits) == 4:
        for shop in Shop.objects.filter(licence_number=licence_number, is_active=True):
            if national_mobile(shop.mobile).endswith(last_digits):
                return shop
    throttle.count(*_limits(licence_number, address))
    return None


def states_of(shop: Shop) -> list[OrderState]:
    since = timezone.now() - RECENT
    orders = shop.orders.filter(~Q(status__in=FINISHED_ORDER_STATUSES) | Q(stops__completed_at__gte=since)).distinct()
    states = []
    for order in orders.order_by("-placed_on", "-pk")[:10]:
        stop = (
            RouteStop.objects.filter(orders=order, route__plan__status=PlanStatus.PUBLISHED)
            .select_related("route__plan")
            .order_by("-route__plan__day", "position")
            .first()
        )
        if stop is None:
            states.append(OrderState(order, None, None, None))
            continue
        ahead = stop.route.stops.filter(is_reload=False, position__lt=stop.position, completed_at__isnull=True).count()
        expected = None if stop.completed_at else expected_arrival(stop)
        states.append(OrderState(order, expected, stop.completed_at, None if stop.completed_at else ahead))
    return states
