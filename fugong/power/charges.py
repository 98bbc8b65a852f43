"""What a suspension or capacity reduction saves on the capacity charge (基本电费).

The capacity charge is monthly: contracted kVA x the tariff's yuan per kVA and month. For a
month that is partly out of service, each day out is not charged at one thirtieth of the
month's charge (the 1/30 rule of 发改办价格〔2016〕1583号), and a whole calendar month out is
not charged at all. So in a 31-day month 30 days out save 30/30 and 31 days the whole month;
in February 28 days out save the whole month. The price is the tariff in force on the first
day of each month. Amounts are rounded to the fen per month.

Plain Python, no Django: the tests check it against examples worked by hand.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_MONTH_CHARGE = 30
FEN = Decimal("0.01")


@dataclass(frozen=True)
class MonthSaving:
    month: date  # the first day of the month
    days: int  # days out of service in the month
    kva: int
    price: Decimal | None  # yuan per kVA and month; None when no tariff was in force
    amount: Decimal | None  # not charged, in yuan

    @property
    def whole_month(self) -> bool:
        return self.days == calendar.monthrange(self.month.year, self.month.month)[1]


@dataclass(frozen=True)
class Saving:
    months: list[MonthSaving]

    @property
    def days(self) -> int:
        return sum(m.days for m in self.months)

    @property
    def amount(self) -> Decimal | None:
        if any(m.amount is None for m in self.months):
            return None
        return sum((m.amount for m in self.months if m.amount is not None), Decimal("0.00"))


def month_saving(month: date, days: int, kva: int, price: Decimal | None) -> MonthSaving:
    if price is None:
        return MonthSaving(month, days, kva, None, None)
    monthly = price * kva
    length = calendar.monthrange(month.year, month.month)[1]
    whole = days >= length
    amount = monthly if whole else monthly * min(days, DAYS_PER_MONTH_CHARGE) / DAYS_PER_MONTH_CHARGE
    return MonthSaving(month, days, kva, price, amount.quantize(FEN, rounding=ROUND_HALF_UP))


def saving(kva: int, first_day: date, last_day: date, price_on: Callable[[date], Decimal | None]) -> Saving:
    """The capacity charge not due for `kva` out of service from `first_day` to `last_day`
    (both included). `price_on(day)` gives the tariff in force on a day."""
    months = []
    day = first_day
    while day <= last_day:
        length = calendar.monthrange(day.year, day.month)[1]
        month_end = day.replace(day=length)
        until = min(month_end, last_day)
        month = day.replace(day=1)
        months.append(month_saving(month, (until - day).days + 1, kva, price_on(month)))
        if until == date.max:  # a row stored before dates were checked must not break a page
            break
        day = until + timedelta(days=1)
    return Saving(months)
