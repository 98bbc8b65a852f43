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
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from .models import RateEvent

TABLE, KEY, AT = (connection.ops.quote_name(n) for n in (RateEvent._meta.db_table, "key", "at"))
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
    """Count this request if every limit allows it; False (and nothing counted) if one is used up.

    One statement, in no transaction of its own: the public check-in asks it of every new
    visitor, and `over` then `count` were three round trips and a transaction. As with those,
    two requests at the same instant may both take a limit's last place."""
    now = timezone.now()
    keys = list(dict.fromkeys(limit.key[:120] for limit in limits))
    moment = "CAST(%s AS timestamp with time zone)" if connection.vendor == "postgresql" else "%s"
    # Each count stops at its limit: a venue taking thousands a minute is not counted to the
    # end on every check-in. Only fixed text and quoted names are joined; the values are params.
    under = f"(SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} WHERE {KEY} = %s AND {AT} >= %s LIMIT %s) AS used) < %s"  # noqa: S608
    one_key = f"SELECT CAST(%s AS varchar(120)) AS {KEY}"
    sql = (
        f"INSERT INTO {TABLE} ({KEY}, {AT}) SELECT counted.{KEY}, {moment} "  # noqa: S608 - fixed text
        f"FROM ({' UNION '.join([one_key] * len(keys))}) AS counted "
        f"WHERE {' AND '.join([under] * len(limits))}"
    )
    params: list[str | int | datetime | None] = [connection.ops.adapt_datetimefield_value(now), *keys]
    for limit in limits:
        since = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=limit.seconds))
        params += [limit.key[:120], since, limit.count, limit.count]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0
