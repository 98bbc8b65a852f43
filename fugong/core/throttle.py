"""Limits on what anyone may do without an account: so many per object and so many per address
within a window. One counter serves every limit: failed sign-ins (per person and per address),
wrong answers on the shop-status page (per licence and per address) and public check-ins (per
venue and per address).

A limit per object (a venue's check-ins, a licence's guesses) stops a flood aimed at one place;
a limit per address stops one machine going through many objects. The per-address limits are
set well above what a shared address sees in normal use (a hall's Wi-Fi, a carrier's NAT in front
of many shops), so the object's own limit is the tight one.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import RateEvent

KEPT = timedelta(days=1)  # longer than any window: then the rows go (core.erasure_kinds)


@dataclass(frozen=True)
class Limit:
    key: str
    count: int
    seconds: int


def over(*limits: Limit) -> bool:
    """Whether any of these limits is already used up."""
    now = timezone.now()
    return any(
        RateEvent.objects.filter(key=limit.key[:120], at__gte=now - timedelta(seconds=limit.seconds)).count()
        >= limit.count
        for limit in limits
    )


@transaction.atomic
def count(*limits: Limit) -> None:
    """One more request against each limit's key (once per distinct key)."""
    keys = dict.fromkeys(limit.key[:120] for limit in limits)
    RateEvent.objects.bulk_create([RateEvent(key=key) for key in keys])


def forget(key: str) -> None:
    """Start a key's count again (a person who signed in is no longer guessing)."""
    RateEvent.objects.filter(key=key[:120]).delete()


def take(*limits: Limit) -> bool:
    """Count this request if every limit allows it; False (and nothing counted) if one is used up."""
    if over(*limits):
        return False
    count(*limits)
    return True
