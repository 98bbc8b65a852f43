"""A suspension from application to automatic extension to one-call restoration, with the
enterprise's SMS at each step; the rules outside the epidemic relaxation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fugong.accounts.models import AuditEntry
from fugong.notify.models import Message
from fugong.power.models import ApplicationStatus, CapacityApplication, FieldOrder, SuspensionRules
from fugong.power.services import applications, telling

from .conftest import local, make_account

pytestmark = pytest.mark.django_db


def sms_to(mobile: str) -> list[tuple[str, str]]:
    return [(m.kind, m.body) for m in Message.objects.filter(recipient=mobile).order_by("pk")]


def test_suspension_by_the_day_is_extended_automatically_and_restored_with_one_call(changda, relaxed, demo):
    staff = demo["hufenfen"]
    with time_machine.travel(local(date(2020, 2, 10)), tick=False):
        application = applications.apply(
            staff,
            changda,
            kind="suspension",
            capacity_kva=1250,
            start_on=date(2020, 2, 11),
            end_on=date(2020, 2, 20),
            channel="phone",
        )
        assert application.by_the_day  # ten days are allowed under the relaxation
        applications.approve(demo["qy_power"], application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED  # it starts tomorrow

    with time_machine.travel(local(date(2020, 2, 11), 7), tick=False):
        assert applications.run_daily()["started"] == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_EFFECT

    # The day before its last day, the daily job extends it by 15 days and says so.
    with time_machine.travel(local(date(2020, 2, 18), 7), tick=False):
        assert applications.run_daily()["extended"] == 0
    with time_machine.travel(local(date(2020, 2, 19), 7), tick=False):
        assert applications.run_daily() == {"started": 0, "extended": 1, "ended": 0}
        assert applications.run_daily()["extended"] == 0  # a second run the same day does nothing
    application.refresh_from_db()
    assert (application.end_on, application.extensions) == (date(2020, 3, 6), 1)

    # One phone call on 2 March: the request, the field order to the station, the SMS.
    with time_machine.travel(local(date(2020, 3, 2), 10), tick=False):
        applications.request_restoration(staff, application, note="吴总来电，3月2日复工")
        order = FieldOrder.objects.get(application=application)
        assert (order.station, order.due_on) == ("松源供电所", date(2020, 3, 2))
        applications.dispatch_field_order(staff, order, demo["qy_power"])
        applications.complete_restoration(staff, application, note="已送电")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESTORED
    assert application.restore_on == date(2020, 3, 2)
    assert FieldOrder.objects.get(application=application).done_at is not None

    messages = sms_to("+8613905786001")
    assert [kind for kind, _body in messages] == [
        telling.RECEIVED,
        telling.APPROVED,
        telling.EXTENDED,
        telling.RESTORATION_RECEIVED,
        telling.RESTORATION_DISPATCHED,
        telling.RESTORED,
    ]
    bodies = dict(messages)
    assert "2月11日起停用1250kVA，至2月20日" in bodies[telling.RECEIVED]
    assert "自动续期至3月6日" in bodies[telling.EXTENDED]
    assert "松源供电所将于3月2日为您恢复送电" in bodies[telling.RESTORATION_RECEIVED]
    assert "庆元供电管理员" in bodies[telling.RESTORATION_DISPATCHED]
    # 11-29 February is 19 days and 1 March one more: 1250 x 30 x 19/30 + 1250 x 30 x 1/30.
    assert "2月11日至3月1日共20天、1250kVA不计收基本电费，约25000.00元" in bodies[telling.RESTORED]
    saving = applications.saving_of(application)
    assert saving is not None and saving.amount == Decimal("25000.00")
    assert all(event.sms_sent for event in application.events.exclude(step="started"))


def test_without_the_relaxation_a_period_ends_and_the_charge_comes_back(changda, company, demo):
    SuspensionRules.objects.create(organisation=company, min_days=15)
    with time_machine.travel(local(date(2021, 5, 1)), tick=False):
        application = applications.apply(
            None, changda, kind="suspension", capacity_kva=1250, start_on=date(2021, 5, 1), end_on=date(2021, 5, 15)
        )
        applications.approve(None, application)
    with time_machine.travel(local(date(2021, 5, 15), 7), tick=False):
        assert applications.run_daily()["ended"] == 0  # its last day
    with time_machine.travel(local(date(2021, 5, 16), 7), tick=False):
        assert applications.run_daily() == {"started": 0, "extended": 0, "ended": 1}
    application.refresh_from_db()
    assert (application.status, application.restore_on) == (ApplicationStatus.RESTORED, date(2021, 5, 16))
    assert "5月16日起恢复计收基本电费" in dict(sms_to(changda.mobile))[telling.ENDED]


def test_the_rules_outside_the_relaxation_name_the_field(changda, company, demo):
    SuspensionRules.objects.create(organisation=company, min_days=15, max_days_per_year=30)
    staff = demo["hufenfen"]
    with time_machine.travel(local(date(2021, 6, 1)), tick=False):
        with pytest.raises(ValidationError) as short:
            applications.apply(
                staff, changda, kind="suspension", capacity_kva=1250, start_on=date(2021, 6, 2), end_on=date(2021, 6, 5)
            )
        assert "15" in short.value.message_dict["end_on"][0]
        with pytest.raises(ValidationError) as open_ended:
            applications.apply(staff, changda, kind="suspension", capacity_kva=1250, start_on=date(2021, 6, 2))
        assert "end_on" in open_ended.value.message_dict
        with pytest.raises(ValidationError) as too_much:
            applications.apply(
                staff, changda, kind="reduction", capacity_kva=1300, start_on=date(2021, 6, 2), end_on=date(2021, 6, 30)
            )
        assert "1250" in too_much.value.message_dict["capacity_kva"][0]
        with pytest.raises(ValidationError) as everything:  # 1250 of 1250 kVA is no reduction
            applications.apply(
                staff, changda, kind="reduction", capacity_kva=1250, start_on=date(2021, 6, 2), end_on=date(2021, 6, 30)
            )
        assert "暂停" in everything.value.message_dict["capacity_kva"][0]
        with pytest.raises(ValidationError) as past:
            applications.apply(
                staff,
                changda,
                kind="suspension",
                capacity_kva=100,
                start_on=date(2021, 5, 20),
                end_on=date(2021, 6, 30),
            )
        assert "start_on" in past.value.message_dict
        applications.apply(
            staff, changda, kind="suspension", capacity_kva=500, start_on=date(2021, 6, 2), end_on=date(2021, 6, 21)
        )
        # 20 days used: another 15 would pass the 30-day yearly maximum.
        with pytest.raises(ValidationError) as yearly:
            applications.apply(
                staff, changda, kind="suspension", capacity_kva=500, start_on=date(2021, 7, 1), end_on=date(2021, 7, 15)
            )
        assert "35" in yearly.value.message_dict["end_on"][0]
        # A reduction of the remaining capacity is fine; more than what is left is not.
        applications.apply(staff, changda, kind="reduction", capacity_kva=750, start_on=date(2021, 6, 10))
        with pytest.raises(ValidationError) as none_left:
            applications.apply(
                staff, changda, kind="reduction", capacity_kva=1, start_on=date(2021, 6, 15), end_on=date(2021, 7, 15)
            )
        assert "0 kVA" in none_left.value.message_dict["capacity_kva"][0]


def test_households_do_not_suspend_and_only_staff_take_applications(company, demo):
    household = make_account(
        company,
        "3301269999",
        holder="张大妈",
        kind="resident",
        voltage="low",
        billing="single",
        industry="",
        capacity_kva=8,
    )
    with pytest.raises(ValidationError):
        applications.apply(
            None, household, kind="suspension", capacity_kva=8, start_on=date.today() + timedelta(days=1)
        )
    enterprise = make_account(company, "3301260002")
    with pytest.raises(PermissionDenied):
        applications.apply(
            demo["huyao"], enterprise, kind="suspension", capacity_kva=100, start_on=date.today() + timedelta(days=1)
        )


def test_rejection_needs_a_reason_and_tells_the_enterprise(changda, relaxed, demo):
    with time_machine.travel(local(date(2020, 2, 10)), tick=False):
        application = applications.apply(None, changda, kind="reduction", capacity_kva=400, start_on=date(2020, 2, 12))
        with pytest.raises(ValidationError):
            applications.reject(demo["qy_power"], application, "  ")
        applications.reject(demo["qy_power"], application, "变压器不能分台停用")
        with pytest.raises(ValidationError):
            applications.approve(demo["qy_power"], application)
    assert CapacityApplication.objects.get(pk=application.pk).status == ApplicationStatus.REJECTED
    assert "变压器不能分台停用" in dict(sms_to(changda.mobile))[telling.REJECTED]
    assert AuditEntry.objects.filter(action="power.application.rejected").exists()


def test_restoration_cannot_come_before_the_first_day_or_twice(changda, relaxed, demo):
    with time_machine.travel(local(date(2020, 2, 10)), tick=False):
        application = applications.apply(
            None, changda, kind="suspension", capacity_kva=1250, start_on=date(2020, 2, 10)
        )
        applications.approve(None, application)
        with pytest.raises(ValidationError) as same_day:
            applications.request_restoration(None, application)
        assert "restore_on" in same_day.value.message_dict
    with time_machine.travel(local(date(2020, 2, 14)), tick=False):
        applications.request_restoration(None, application)
        with pytest.raises(ValidationError):
            applications.request_restoration(None, application)
    assert FieldOrder.objects.filter(application=application).count() == 1


def test_an_open_ended_suspension_saves_the_days_so_far(changda, relaxed):
    with time_machine.travel(local(date(2020, 2, 3)), tick=False):
        application = applications.apply(None, changda, kind="suspension", capacity_kva=1000, start_on=date(2020, 2, 3))
        applications.approve(None, application)
    saving = applications.saving_of(application, as_of=date(2020, 2, 12))
    assert saving is not None
    assert (saving.days, saving.amount) == (10, Decimal("10000.00"))  # 1000 x 30 x 10/30


def test_how_a_restoration_was_asked_for_reads_in_each_readers_language(changda, relaxed, demo, client_for):
    """The step keeps the channel as a code: a request taken in one language (the demo's loader,
    an English-speaking operator) never shows "phone:" on a Chinese page."""
    from django.utils import translation

    with time_machine.travel(local(date(2020, 2, 10)), tick=False):
        application = applications.apply(
            None, changda, kind="suspension", capacity_kva=1250, start_on=date(2020, 2, 10)
        )
        applications.approve(None, application)
    with time_machine.travel(local(date(2020, 2, 14)), tick=False), translation.override("en"):
        applications.request_restoration(None, application, channel="phone", note="张经理来电")
    step = application.events.get(step="restoration_requested")
    assert (step.channel, step.detail) == ("phone", "张经理来电")
    client = client_for("hufenfen")
    chinese = client.get(f"/power/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已申请恢复 · 电话 · 张经理来电" in chinese and "phone" not in chinese.lower().split("<body", 1)[1]
