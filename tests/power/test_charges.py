"""The capacity charge not due for days out of service, against examples worked by hand:
one thirtieth of the month's charge per day, a whole calendar month free."""

from datetime import date
from decimal import Decimal

from fugong.power.charges import saving

THIRTY = lambda day: Decimal("30.00")  # noqa: E731 - yuan per kVA and month


def test_a_period_across_a_month_boundary_is_charged_per_month():
    # 2020-01-20..01-31 is 12 days, 02-01..02-10 is 10 days; 1000 kVA x 30 yuan = 30,000 a month.
    result = saving(1000, date(2020, 1, 20), date(2020, 2, 10), THIRTY)
    assert [(m.month, m.days, m.amount) for m in result.months] == [
        (date(2020, 1, 1), 12, Decimal("12000.00")),
        (date(2020, 2, 1), 10, Decimal("10000.00")),
    ]
    assert result.days == 22
    assert result.amount == Decimal("22000.00")


def test_a_whole_calendar_month_is_free_whatever_its_length():
    # February 2020 has 29 days, March 31: each whole month saves the full 30,000.
    assert saving(1000, date(2020, 2, 1), date(2020, 2, 29), THIRTY).amount == Decimal("30000.00")
    assert saving(1000, date(2020, 3, 1), date(2020, 3, 31), THIRTY).amount == Decimal("30000.00")
    assert saving(1000, date(2021, 2, 1), date(2021, 2, 28), THIRTY).amount == Decimal("30000.00")
    # 30 of March's 31 days are 30/30 too; 27 of February 2021's 28 days are 27/30.
    assert saving(1000, date(2020, 3, 1), date(2020, 3, 30), THIRTY).amount == Decimal("30000.00")
    assert saving(1000, date(2021, 2, 1), date(2021, 2, 27), THIRTY).amount == Decimal("27000.00")


def test_partial_capacity_saves_only_the_kva_taken_out():
    # 630 of 2000 kVA out for 15 days: 630 x 30 x 15 / 30 = 9,450.
    assert saving(630, date(2020, 3, 10), date(2020, 3, 24), THIRTY).amount == Decimal("9450.00")


def test_each_month_uses_the_tariff_in_force_on_its_first_day():
    def price(day: date) -> Decimal:
        return Decimal("30.00") if day < date(2020, 3, 1) else Decimal("28.50")

    # 400 kVA: February 10 days at 30 = 4,000; March 5 days at 28.50 = 1,900.
    result = saving(400, date(2020, 2, 20), date(2020, 3, 5), price)
    assert [m.amount for m in result.months] == [Decimal("4000.00"), Decimal("1900.00")]
    assert result.amount == Decimal("5900.00")


def test_amounts_are_rounded_half_up_to_the_fen():
    # 315 x 26.67 x 7 / 30 = 1,960.245 yuan.
    assert saving(315, date(2020, 4, 1), date(2020, 4, 7), lambda day: Decimal("26.67")).amount == Decimal("1960.25")


def test_without_a_tariff_the_days_are_known_but_not_the_amount():
    result = saving(500, date(2020, 4, 1), date(2020, 4, 7), lambda day: None)
    assert result.days == 7
    assert result.amount is None
