"""The power demo: what the seed tells, loaded through the services where it happens today."""

import pytest
from django.utils import timezone

from fugong.power import queries
from fugong.power.models import CapacityApplication, PowerAccount, Revisit, Ticket
from fugong.power.services import applications

pytestmark = pytest.mark.django_db


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


def test_the_demo_hall_has_a_week_of_queues_and_window_2_calling(demo_power):
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
