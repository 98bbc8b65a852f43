"""The demo's doors, and a volunteer's admission shown on the call and the shift they are on."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fugong.core.validators import clean_mobile
from fugong.screening.models import CheckIn, DailyCount, StaffTemperature, Venue
from fugong.screening.services import logs, policies
from fugong.volunteers.models import HelpCall

pytestmark = pytest.mark.django_db


def test_demo_sites_have_policies_records_counts_and_logs(demo_screening):
    hall = Venue.objects.get(site__name="客户服务中心营业厅")
    baqiu = Venue.objects.get(site__name="巴邱网点")
    assert policies.in_force(hall.site).name == "一测温二登记三受理"
    assert policies.in_force(baqiu.site).name == "三查一戴（核酸放宽至72小时）"
    assert policies.in_force(baqiu.site, timezone.now() - timedelta(days=20)).name == "三查一戴"
    assert len(logs.roster(hall)) == 11
    assert DailyCount.objects.filter(venue=hall, day__lt=timezone.localdate() - timedelta(days=2)).exists()
    assert CheckIn.objects.filter(venue=hall, at__date__gte=timezone.localdate() - timedelta(days=1)).exists()


def test_the_demo_hall_shows_a_staff_fever_and_a_referral_with_its_reasons(demo_screening, client_for):
    """What a walker of the demo must meet (#21 items 1 and 2): a colleague's fever to act on,
    and a visitor waiting at the door with why."""
    hall = Venue.objects.get(site__name="客户服务中心营业厅")
    assert [(f.staff.get_full_name(), str(f.temperature)) for f in logs.open_fevers([hall])] == [("周建华", "37.8")]
    assert StaffTemperature.objects.filter(venue=hall, fever=True, action="sent_home").count() == 1
    home = client_for("hufenfen").get("/").content.decode()
    assert "周建华" in home and "健康码: 黄码" in home
    console = client_for("hufenfen").get(reverse("screening:console", args=[hall.pk])).content.decode()
    waiting = console.split('id="referrals"')[1].split("</div>")[0]
    assert "范**" in waiting and "体温: 未测" in waiting and 'name="temperature"' in waiting


def test_the_demo_visitors_numbers_are_real_mobiles(demo_screening):
    """Made-up numbers must still be numbers a form would take, or every list shows 590***3587."""
    numbers = set(CheckIn.objects.exclude(mobile="").values_list("mobile", flat=True))
    numbers |= set(CheckIn.objects.exclude(companion_mobile="").values_list("companion_mobile", flat=True))
    assert numbers and {n for n in numbers if clean_mobile(n) != n} == set()


def test_a_confirmed_helper_shows_whether_they_passed_admission_today(demo_screening, client_for):
    call = HelpCall.objects.get(site__name="巴邱网点")
    page = client_for("huanghuiyun").get(reverse("volunteers:call", args=[call.pk])).content.decode()
    cells = page.split("<td data-admission>")[1:]
    # The member who said no has an empty cell: admission is shown for the five confirmed.
    states = [state for cell in cells if (state := cell.split("</td>")[0].strip())]
    assert len(states) == 5
    assert sum("pill admit" in s for s in states) == 2
    assert sum("pill refer" in s for s in states) == 1
    assert sum("pill queued" in s for s in states) == 2  # not checked in yet
