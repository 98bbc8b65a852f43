"""Checking people in: identity, nonces resent by offline scanners, referrals, permissions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.screening.models import Channel, CheckIn, Decision
from fugong.screening.services import checkins
from fugong.screening.services.checkins import Visitor

from .conftest import GREEN

pytestmark = pytest.mark.django_db


def test_a_visitor_is_recorded_with_the_policy_and_each_result(hall):
    record, created = checkins.check_in(
        None, hall, Visitor("张三", mobile="138 1234 5678"), GREEN | {"temperature": "37.8"}, channel=Channel.PHONE
    )
    assert created and record.decision == Decision.REFUSE == record.final_decision
    assert record.mobile == "+8613812345678" and record.temperature == Decimal("37.8")
    assert record.policy.name == "一测温二登记三受理"
    assert [r["kind"] for r in record.results if r["verdict"] == "fail"] == ["temperature"]


def test_someone_without_a_phone_is_registered_by_id_number_or_a_companion(hall):
    with pytest.raises(ValidationError) as caught:
        checkins.check_in(None, hall, Visitor("李奶奶"), GREEN, channel=Channel.PHONE)
    assert "mobile" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        checkins.check_in(None, hall, Visitor("李奶奶", id_number="331126194001011234"), GREEN, channel=Channel.PHONE)
    assert "id_number" in caught.value.message_dict  # wrong check digit
    with pytest.raises(ValidationError) as caught:
        checkins.check_in(
            None,
            hall,
            Visitor("李奶奶", id_number="11010519491231002X", companion_name="李明"),
            GREEN,
            channel=Channel.PHONE,
        )
    assert "companion_mobile" in caught.value.message_dict
    record, _ = checkins.check_in(
        None,
        hall,
        Visitor("李奶奶", id_number="11010519491231002x", companion_name="李明", companion_mobile="13905781234"),
        GREEN,
        channel=Channel.PHONE,
    )
    assert record.id_number == "11010519491231002X" and record.companion_mobile == "+8613905781234"


def test_a_resent_nonce_is_never_counted_twice(hall, demo):
    staff = demo["hufenfen"]
    first, created = checkins.check_in(
        staff, hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.SCANNER, nonce="scan-0001"
    )
    again, created_again = checkins.check_in(
        staff, hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.SCANNER, nonce="scan-0001"
    )
    assert created and not created_again and again.pk == first.pk
    assert CheckIn.objects.count() == 1
    with pytest.raises(checkins.NonceConflict):
        checkins.check_in(
            staff, hall, Visitor("赵六", mobile="13905780098"), GREEN, channel=Channel.SCANNER, nonce="scan-0001"
        )


def test_an_offline_scanner_may_send_earlier_check_ins_but_not_future_or_expired_ones(hall, demo):
    staff = demo["hufenfen"]
    earlier = timezone.now() - timedelta(hours=3)
    record, _ = checkins.check_in(
        staff, hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.SCANNER, nonce="n-1", at=earlier
    )
    assert record.at == earlier
    for at in (timezone.now() + timedelta(hours=1), timezone.now() - timedelta(days=40)):
        with pytest.raises(ValidationError) as caught:
            checkins.check_in(staff, hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.SCANNER, at=at)
        assert "at" in caught.value.message_dict


def test_the_policy_in_force_at_the_time_of_the_check_in_judges_it(hall, demo):
    """A scanner's check-in from before yesterday's policy took effect has no policy to judge it."""
    with pytest.raises(ValidationError):
        checkins.check_in(
            demo["hufenfen"],
            hall,
            Visitor("王五", mobile="13905780099"),
            GREEN,
            channel=Channel.SCANNER,
            at=timezone.now() - timedelta(days=2),
        )


def test_only_the_sites_people_check_in_at_the_door(hall, demo):
    for outsider in ("huyao", "laoyan", "xiajiang"):
        with pytest.raises(PermissionDenied):
            checkins.check_in(
                demo[outsider], hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.CONSOLE
            )
    checkins.check_in(demo["hufenfen"], hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.CONSOLE)
    checkins.check_in(demo["qingyuan"], hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.CONSOLE)


def test_staff_decide_a_referral_once(hall, demo):
    record, _ = checkins.check_in(
        None, hall, Visitor("黄码", mobile="13905780097"), GREEN | {"health_code": "yellow"}, channel=Channel.PHONE
    )
    assert record.final_decision == Decision.REFER
    decided = checkins.decide_referral(demo["hufenfen"], record, Decision.ADMIT)
    assert decided.final_decision == Decision.ADMIT and decided.decision == Decision.REFER
    assert decided.resolved_by == demo["hufenfen"]
    with pytest.raises(ValidationError):
        checkins.decide_referral(demo["hufenfen"], record, Decision.REFUSE)
    refused, _ = checkins.check_in(
        None, hall, Visitor("发热", mobile="13905780096"), GREEN | {"temperature": "38.1"}, channel=Channel.PHONE
    )
    with pytest.raises(ValidationError):
        checkins.decide_referral(demo["hufenfen"], refused, Decision.ADMIT)


def test_a_closed_site_checks_nobody(hall, demo):
    from fugong.screening.services import venues

    venues.close_venue(demo["qy_power"], hall)
    with pytest.raises(ValidationError):
        checkins.check_in(None, hall, Visitor("王五", mobile="13905780099"), GREEN, channel=Channel.PHONE)
