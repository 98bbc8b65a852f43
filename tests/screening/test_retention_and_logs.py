"""Purging personal and health data after the retention period, keeping the daily counts;
staff temperatures and disinfection rounds that are overdue."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from fugong.accounts.erasure import erase_due_personal_data
from fugong.accounts.models import AuditEntry
from fugong.core import erasure
from fugong.screening import queries
from fugong.screening.models import Channel, CheckIn, DailyCount, Decision, StaffTemperature
from fugong.screening.services import checkins, logs
from fugong.screening.services.checkins import Visitor

from .conftest import GREEN

pytestmark = pytest.mark.django_db


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_purge_leaves_no_health_data_past_retention_and_keeps_the_daily_counts(hall, demo, settings):
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"checkins": 28}
    staff = demo["hufenfen"]
    start = timezone.localdate()
    with time_machine.travel(local(start, 9), tick=False):
        for n in range(3):
            checkins.check_in(None, hall, Visitor(f"访客{n}", mobile=f"1390578{n:04d}"), GREEN, channel=Channel.PHONE)
        checkins.check_in(
            None, hall, Visitor("发热", mobile="13905789999"), GREEN | {"temperature": "38.0"}, channel=Channel.PHONE
        )
        logs.record_staff_temperature(staff, hall, staff, "36.6")
    with time_machine.travel(local(start + timedelta(days=1), 10), tick=False):
        checkins.check_in(None, hall, Visitor("次日", mobile="13905788888"), GREEN, channel=Channel.PHONE)

    # Day 28 after: the first day is still kept (28 days), nothing is deleted.
    with time_machine.travel(local(start + timedelta(days=28), 2, 30), tick=False):
        result = erase_due_personal_data()
    assert result["screening.checkins"] == 0 and CheckIn.objects.count() == 5

    # Day 29: the first day's records and the staff reading go, the next day's stay.
    with time_machine.travel(local(start + timedelta(days=29), 2, 30), tick=False):
        result = erase_due_personal_data()
        series = {row["day"]: row for row in queries.daily_series(hall, days=31)}
    assert result["screening.checkins"] == 4 and result["screening.staff_temperatures"] == 1
    assert not CheckIn.objects.filter(at__lt=local(start + timedelta(days=1), 0)).exists()
    assert not StaffTemperature.objects.exists()
    assert list(CheckIn.objects.values_list("name", flat=True)) == ["次日"]
    kept = {c.decision: c.count for c in DailyCount.objects.filter(venue=hall, day=start)}
    assert kept == {Decision.ADMIT: 3, Decision.REFUSE: 1}
    assert series[start]["admit"] == 3 and series[start]["refuse"] == 1
    assert series[start + timedelta(days=1)]["admit"] == 1
    entry = AuditEntry.objects.get(action="personal_data.erased", object_id="screening.checkins")
    assert entry.changes == {"n": 4}
    assert "发热" not in str(entry.changes) and "13905789999" not in str(entry.changes)

    # Running again changes nothing: the counts stay as they were.
    with time_machine.travel(local(start + timedelta(days=30), 2, 30), tick=False):
        erase_due_personal_data()
    assert {c.decision: c.count for c in DailyCount.objects.filter(venue=hall, day=start)} == kept


def test_purge_deletes_in_chunks(hall):
    old = timezone.now() - timedelta(days=40)
    CheckIn.objects.bulk_create(
        CheckIn(
            venue=hall,
            policy=hall.site.admission_policies.get(),
            at=old,
            channel=Channel.PHONE,
            name="旧",
            mobile=f"+861390578{n:04d}",
            decision=Decision.ADMIT,
            final_decision=Decision.ADMIT,
        )
        for n in range(5)
    )
    assert erasure.erase(erasure.get("screening.checkins"), timezone.now(), chunk=2) == 5
    assert not CheckIn.objects.exists()
    assert DailyCount.objects.get(day=timezone.localdate(old)).count == 5


def test_overdue_temperatures_and_rounds(hall, demo):
    """Times 08:00 and 14:00, an hour's grace: at 09:30 the morning is due for everyone."""
    staff = demo["hufenfen"]
    today = timezone.localdate()
    with time_machine.travel(local(today, 8, 30), tick=False):
        assert logs.overdue(hall) == []  # still within the hour
    with time_machine.travel(local(today, 7, 50), tick=False):
        logs.record_staff_temperature(staff, hall, staff, "36.4")  # a little early counts
    with time_machine.travel(local(today, 9, 30), tick=False):
        due = logs.overdue(hall)
        assert [(o.kind, o.due) for o in due] == [("disinfection", time(8))]
        logs.record_disinfection(staff, hall, areas="大厅", done_by="胡芬芬")
        assert logs.overdue(hall) == []
    with time_machine.travel(local(today, 15, 5), tick=False):
        due = logs.overdue(hall)
        assert {(o.kind, o.due, o.who) for o in due} == {
            ("temperature", time(14), staff),
            ("disinfection", time(14), None),
        }
        assert "胡芬芬" in due[0].text


def test_staff_temperatures_only_for_the_sites_staff_and_plausible(hall, demo):
    with pytest.raises(ValidationError):
        logs.record_staff_temperature(demo["hufenfen"], hall, demo["huyao"], "36.5")
    with pytest.raises(ValidationError):
        logs.record_staff_temperature(demo["hufenfen"], hall, demo["hufenfen"], "3.65")
