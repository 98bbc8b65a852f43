"""The hall's queue: a number after admission, called to a window, served; the figures."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.directory.models import Site
from fugong.power import queries
from fugong.power.models import Ticket, TicketStatus
from fugong.power.services import hall
from fugong.screening.models import Channel
from fugong.screening.services import checkins
from fugong.screening.services.checkins import Visitor

from ..screening.conftest import GREEN
from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(company):
    return Site.objects.get(name="客户服务中心营业厅")


@pytest.fixture
def windows(site):
    every = ["pay_bill", "invoice", "consultation"]
    return [
        hall.save_window(None, site, number=1, kinds=every),
        hall.save_window(None, site, number=2, kinds=[*every, "installation", "suspension"]),
        hall.save_window(None, site, number=3, kinds=["installation", "suspension"]),
    ]


def admitted(venue, name="王大伯", mobile="13905781234"):
    record, _created = checkins.check_in(None, venue, Visitor(name, mobile=mobile), GREEN, channel=Channel.PHONE)
    return record


def test_where_the_door_is_screened_a_number_needs_todays_admission(site, windows, hall_venue):
    with pytest.raises(ValidationError):
        hall.take_ticket(None, site, "pay_bill")
    feverish, _created = checkins.check_in(
        None, hall_venue, Visitor("发热", mobile="13905780000"), GREEN | {"temperature": "38.2"}, channel=Channel.PHONE
    )
    with pytest.raises(ValidationError):
        hall.take_ticket(None, site, "pay_bill", checkin=feverish)
    record = admitted(hall_venue)
    ticket, created = hall.take_ticket(None, site, "pay_bill", checkin=record)
    assert created and ticket.code == "A001"
    # Asking again with the same admission gives the same number.
    again, created = hall.take_ticket(None, site, "invoice", checkin=record)
    assert (again.pk, created) == (ticket.pk, False)
    with time_machine.travel(timezone.now() + timedelta(days=1)), pytest.raises(ValidationError):
        hall.take_ticket(None, site, "invoice", checkin=record)  # yesterday's check-in


def test_a_resent_take_gives_the_same_number_and_numbers_count_per_business(site, windows):
    first, created = hall.take_ticket(None, site, "pay_bill", nonce="n1")
    same, again = hall.take_ticket(None, site, "pay_bill", nonce="n1")
    assert created and not again and same.pk == first.pk
    second, _ = hall.take_ticket(None, site, "pay_bill", nonce="n2")
    install, _ = hall.take_ticket(None, site, "installation", nonce="n3")
    assert [first.code, second.code, install.code] == ["A001", "A002", "C001"]


def test_windows_call_priority_first_then_in_order_and_only_their_business(site, windows, demo):
    staff = demo["hufenfen"]
    a1, _ = hall.take_ticket(None, site, "pay_bill")
    c1, _ = hall.take_ticket(None, site, "installation")
    elderly, _ = hall.take_ticket(staff, site, "pay_bill", priority=True)
    assert hall.waiting_before(a1) == 1 and hall.waiting_before(elderly) == 0

    assert hall.call_next(staff, windows[0]) == elderly
    with pytest.raises(ValidationError):
        hall.call_next(staff, windows[0])  # finish the elderly visitor first
    assert hall.call_next(staff, windows[2]) == c1  # window 3 takes no bills
    assert hall.call_next(staff, windows[1]) == a1
    hall.finish(staff, a1)
    assert hall.call_next(staff, windows[1]) is None  # nobody left
    hall.finish(staff, elderly, served=False)
    assert Ticket.objects.get(pk=elderly.pk).status == TicketStatus.NO_SHOW


def test_the_hall_state_and_the_days_figures(site, windows, demo):
    staff = demo["hufenfen"]
    start = local(timezone.localdate(), 9)
    with time_machine.travel(start, tick=False):
        first, _ = hall.take_ticket(None, site, "pay_bill")
        second, _ = hall.take_ticket(None, site, "pay_bill")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        hall.call_next(staff, windows[1])
    state = queries.hall_state(site)
    assert state.windows[1].current == first and state.waiting["pay_bill"] == 1
    assert state.recent[0] == first
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        hall.finish(staff, first)
        hall.call_next(staff, windows[0])
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        hall.finish(staff, second, served=False)
    figures = queries.day_figures(site, timezone.localdate())
    bills = figures["kinds"][0]
    assert (bills.taken, bills.served, bills.no_show) == (2, 1, 1)
    assert bills.mean_wait == 13.0  # 10 and 16 minutes
    assert bills.mean_service == 6.0
    assert figures["windows"] == [(2, 1)]


def test_recall_and_yesterdays_numbers_lapse(site, windows, demo):
    staff = demo["hufenfen"]
    ticket, _ = hall.take_ticket(None, site, "consultation")
    waiting, _ = hall.take_ticket(None, site, "consultation")
    hall.call_next(staff, windows[0])
    ticket.refresh_from_db()
    announced = ticket.announced_at
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert hall.recall(staff, ticket).calls == 2
    ticket.refresh_from_db()
    assert ticket.announced_at > announced
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert hall.lapse_old_tickets() == 2
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {ticket.pk: TicketStatus.NO_SHOW, waiting.pk: TicketStatus.CANCELLED}


def test_only_the_companys_staff_run_windows(site, windows, demo):
    hall.take_ticket(None, site, "pay_bill")
    with pytest.raises(PermissionDenied):
        hall.call_next(demo["huyao"], windows[0])
    with pytest.raises(PermissionDenied):
        hall.save_window(demo["hufenfen"], site, number=4, kinds=["pay_bill"])  # staff, not administrator


def test_the_demo_weeks_hall_figures_are_believable(demo_power: Any) -> None:
    """A county hall at about seven minutes a visitor: waits of minutes, not of hours."""
    site = Site.objects.get(name="客户服务中心营业厅")
    days = [d for d in queries.week_figures(site, timezone.localdate() - timedelta(days=1)) if d["total"].taken]
    assert len(days) >= 5  # closed on Sundays only
    for day in days:
        total = day["total"]
        assert 60 <= total.taken <= 200
        assert 0 < total.mean_wait <= 30, (day["day"], total.mean_wait)
        assert 2 <= total.mean_service <= 13, (day["day"], total.mean_service)
