"""A referral says why it was made, and staff record the check that was missing when they
decide (#21 item 2): nobody is admitted with "temperature: not taken"."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fugong.accounts.models import AuditEntry
from fugong.screening.models import CheckIn, Decision
from fugong.screening.services import checkins

from .conftest import GREEN

pytestmark = pytest.mark.django_db

YELLOW_UNMEASURED = GREEN | {"health_code": "yellow", "temperature": ""}


def referred(hall, mobile="13905780124", answers=YELLOW_UNMEASURED) -> CheckIn:
    record, _ = checkins.check_in(None, hall, checkins.Visitor("黄", mobile=mobile), answers, channel="phone")
    assert record.decision == Decision.REFER
    return record


def referral_of(page: str, record: CheckIn) -> str:
    return page.split(f'<li class="panel" data-checkin="{record.pk}">')[1].split("</form>")[0]


def test_the_console_says_why_each_referral_was_made(hall, client_for):
    yellow = referred(hall)
    no_mask = referred(hall, "13905780125", GREEN | {"mask": "no"})
    client = client_for("hufenfen")
    for url in (reverse("screening:console", args=[hall.pk]), reverse("screening:console_feed", args=[hall.pk])):
        page = client.get(url).content.decode()
        first, second = referral_of(page, yellow), referral_of(page, no_mask)
        assert "健康码: 黄码" in first and "体温: 未测" in first and 'name="temperature"' in first
        assert "口罩: 未戴口罩" in second and "健康码" not in second and 'name="temperature"' not in second
    home = client.get("/").content.decode()
    assert "健康码: 黄码" in home  # the home card's list of people waiting says why too


def test_nobody_is_admitted_unmeasured_and_the_reading_is_judged(hall, client_for):
    record = referred(hall)
    client = client_for("hufenfen")
    url = reverse("screening:decide", args=[record.pk])

    def decide(**data):
        page = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
        record.refresh_from_db()
        return page

    page = decide(decision="admit")
    assert record.resolved_at is None and 'class="error" role="alert"' in page.split('id="referrals"')[1]
    page = decide(decision="admit", temperature="38.0")  # the hall's policy refuses from 37.3
    assert record.resolved_at is None and record.temperature is None
    page = decide(decision="admit", temperature="34.0")
    assert record.resolved_at is None and "34.0 °C" in page
    decide(decision="admit", temperature="36.6")
    assert record.final_decision == Decision.ADMIT and record.temperature == Decimal("36.6")
    temperature = next(r for r in record.results if r["kind"] == "temperature")
    assert temperature == {"kind": "temperature", "answer": "36.6", "verdict": "pass", "outcome": "admit"}
    page = client.get(reverse("screening:result", args=[record.public_id])).content.decode()
    assert "黄码" in page and "未测" not in page
    entry = AuditEntry.objects.get(action="screening.referral_decided")
    assert entry.changes == {"final_decision": ["refer", "admit"], "temperature": "measured"}


def test_refusing_needs_no_reading_but_keeps_one_taken(hall, demo):
    record = referred(hall)
    checkins.decide_referral(demo["hufenfen"], record, Decision.REFUSE, temperature="38.2")
    record.refresh_from_db()
    assert record.final_decision == Decision.REFUSE and record.temperature == Decimal("38.2")
    other = referred(hall, "13905780126")
    checkins.decide_referral(demo["hufenfen"], other, Decision.REFUSE)
    other.refresh_from_db()
    assert other.final_decision == Decision.REFUSE and other.temperature is None


def test_a_referral_measured_at_the_door_is_not_asked_again(hall, demo):
    """Referred for a yellow code with 36.5 taken: staff decide on the code, no reading asked."""
    record = referred(hall, answers=GREEN | {"health_code": "yellow"})
    checkins.decide_referral(demo["hufenfen"], record, Decision.ADMIT, temperature="39.0")  # ignored: taken
    record.refresh_from_db()
    assert record.final_decision == Decision.ADMIT and record.temperature == Decimal("36.5")
    with pytest.raises(ValidationError):
        checkins.decide_referral(demo["hufenfen"], record, Decision.ADMIT)
