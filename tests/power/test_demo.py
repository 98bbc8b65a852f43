"""The power demo: what the seed tells, loaded through the services where it happens today."""

from collections.abc import Iterator
from datetime import time
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from fugong.core.clock import local_time
from fugong.power import queries
from fugong.power.models import CapacityApplication, PowerAccount, Revisit, Ticket
from fugong.power.services import applications
from fugong.screening.models import CheckIn

pytestmark = pytest.mark.django_db


def _loaded_at(request: pytest.FixtureRequest, hour: int, minute: int) -> Iterator[Any]:
    """The power demo loaded today at hour:minute, Shanghai time: its live hall is the morning's
    visitors up to the moment of loading, so what it shows depends on the hour."""
    with time_machine.travel(local_time(timezone.localdate(), time(hour, minute)), tick=True):
        yield request.getfixturevalue("demo_power")


@pytest.fixture
def demo_power_mid_morning(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _loaded_at(request, 10, 30)


@pytest.fixture
def demo_power_before_dawn(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _loaded_at(request, 0, 40)


def test_the_demo_has_the_seeds_enterprises_restored_by_one_call(demo_power):
    for name in ("浙江昌达实业有限公司", "浙江金辉木业有限公司", "丽水市大乾坤石材有限公司"):
        application = CapacityApplication.objects.get(account__holder=name)
        assert application.status == "restored" and application.channel == "phone"
        assert [e.step for e in application.events.all()][-2:] == ["restoration_requested", "restored"]
        saving = applications.saving_of(application)
        assert saving is not None and saving.amount > 0
    assert CapacityApplication.objects.filter(status="restored").count() >= 10
    assert CapacityApplication.objects.filter(status="in_effect").exists()
    assert CapacityApplication.objects.filter(status="applied").count() == 3
    assert CapacityApplication.objects.filter(status="restoration_requested").count() == 1
    assert PowerAccount.objects.count() == 300


def test_every_demo_station_has_a_field_crew_and_todays_restoration_went_to_it(demo_power):
    from fugong.demo.power import STATIONS
    from fugong.power.models import FieldOrder

    company = PowerAccount.objects.first().organisation
    for station in set(STATIONS.values()):
        assert queries.station_crew(company, station).count() == 2, station
    order = FieldOrder.objects.get(done_at__isnull=True)
    assert order.station == "城区供电所" and order.assignee.username == "yejianguo"
    assert "hufenfen" not in {u.username for u in queries.dispatchable(company, order.station)[0]}


def test_the_demo_hall_has_a_week_of_queues_and_window_2_calling(demo_power_mid_morning):
    from fugong.directory.models import Site

    site = Site.objects.get(name="客户服务中心营业厅")
    today = timezone.localdate()
    assert Ticket.objects.filter(site=site, day__lt=today).count() > 300
    state = queries.hall_state(site)
    assert state.windows[1].current is not None  # window 2 is serving someone
    assert Ticket.objects.filter(site=site, day=today, checkin__isnull=False).exists()
    past = queries.day_figures(site, today - timezone.timedelta(days=1))
    assert past["total"].taken == 0 or past["total"].mean_wait is not None


def test_the_demo_priority_line_has_overdue_and_open_revisits(demo_power):
    today = timezone.localdate()
    open_revisits = Revisit.objects.filter(done_at__isnull=True)
    assert open_revisits.filter(due_on__lt=today).exists()
    assert open_revisits.filter(due_on__gte=today).exists()
    assert queries.open_calls(demo_power["hufenfen"]).filter(urgency="urgent").exists()


def test_a_demo_loaded_before_the_hall_opens_has_nobody_in_the_future(demo_power_before_dawn):
    from fugong.directory.models import Site

    site = Site.objects.get(name="客户服务中心营业厅")
    now = timezone.now()
    assert not CheckIn.objects.filter(at__gt=now).exists()
    assert not Ticket.objects.filter(taken_at__gt=now).exists()
    assert all(w.current is None for w in queries.hall_state(site).windows)
    assert Ticket.objects.filter(site=site, day__lt=timezone.localdate()).count() > 300  # the week is there
