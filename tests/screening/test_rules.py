"""A policy's checks judge answers; the worst outcome decides; versions and regions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fugong.directory.models import Region, Site
from fugong.screening import rules
from fugong.screening.models import CheckKind, Decision, PolicyCheck
from fugong.screening.services import policies
from fugong.screening.services.policies import CheckSpec

from .conftest import GREEN, HALL_RULES

pytestmark = pytest.mark.django_db


def checks_of(specs):
    return [policies._check_from(spec, i) for i, spec in enumerate(specs)]


def test_green_visitor_is_admitted():
    assert rules.evaluate(checks_of(HALL_RULES), GREEN).decision == Decision.ADMIT


@pytest.mark.parametrize(
    ("answers", "decision"),
    [
        ({"temperature": "37.3"}, Decision.REFUSE),  # the bar itself is a fever: "below 37.3"
        ({"temperature": "37.2"}, Decision.ADMIT),
        ({"temperature": ""}, Decision.REFER),  # not measured yet: staff measure
        ({"health_code": "yellow"}, Decision.REFER),
        ({"health_code": "red"}, Decision.REFUSE),
        ({"mask": "no"}, Decision.REFER),  # hand them a mask
        ({"mask": "no", "health_code": "red"}, Decision.REFUSE),  # the worst wins
    ],
)
def test_each_check_and_the_worst_outcome(answers, decision):
    evaluation = rules.evaluate(checks_of(HALL_RULES), GREEN | answers)
    assert evaluation.decision == decision


def test_test_result_risk_area_and_vaccination_rules():
    specs = [
        CheckSpec(CheckKind.TEST_RESULT, 48),
        CheckSpec(CheckKind.RISK_AREA, 14),
        CheckSpec(CheckKind.VACCINATION, 2, on_fail=Decision.REFER),
    ]
    ok = {"test_result": "negative", "risk_area": "no", "vaccination": 2}
    assert rules.evaluate(checks_of(specs), ok).decision == Decision.ADMIT
    assert rules.evaluate(checks_of(specs), ok | {"test_result": "none"}).decision == Decision.REFER
    assert rules.evaluate(checks_of(specs), ok | {"risk_area": "yes"}).decision == Decision.REFUSE
    assert rules.evaluate(checks_of(specs), ok | {"vaccination": 1}).decision == Decision.REFER


def test_missing_and_bad_answers_are_named_together():
    with pytest.raises(ValidationError) as caught:
        rules.evaluate(checks_of(HALL_RULES), {"temperature": "hot", "mask": "yes"})
    assert set(caught.value.message_dict) == {"check_temperature", "check_health_code"}
    with pytest.raises(ValidationError):
        rules.evaluate(checks_of(HALL_RULES), GREEN | {"temperature": "45"})


def test_describe_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        text = rules.describe(checks_of(HALL_RULES)[0])
    assert text == "体温低于 37.3 °C（否则：禁止入场；不明确：转工作人员核验）"


def test_site_policy_wins_over_region_and_nearest_region_wins(demo):
    site = Site.objects.get(name="客户服务中心营业厅")
    county, city = Region.objects.get(code="331126"), Region.objects.get(code="331100")
    now = timezone.now()
    assert policies.in_force(site) is None
    city_rules = policies.create_policy(None, region=city, name="市", checks=HALL_RULES, effective_from=now)
    assert policies.in_force(site) == city_rules
    county_rules = policies.create_policy(None, region=county, name="县", checks=HALL_RULES, effective_from=now)
    assert policies.in_force(site) == county_rules
    own = policies.create_policy(None, site=site, name="厅", checks=HALL_RULES, effective_from=now)
    assert policies.in_force(site) == own
    # A version announced for tomorrow is not in force today, and is in force tomorrow.
    later = policies.create_policy(
        None, site=site, name="明天起", checks=HALL_RULES[:1], effective_from=now + timedelta(days=1)
    )
    assert policies.in_force(site) == own
    assert policies.in_force(site, now + timedelta(days=1, minutes=1)) == later


def test_people_cannot_backdate_or_withdraw_a_version_in_force(demo):
    site = Site.objects.get(name="客户服务中心营业厅")
    admin = demo["qy_power"]
    with pytest.raises(ValidationError) as caught:
        policies.create_policy(
            admin, site=site, name="x", checks=HALL_RULES, effective_from=timezone.now() - timedelta(days=1)
        )
    assert "effective_from" in caught.value.message_dict
    current = policies.create_policy(admin, site=site, name="now", checks=HALL_RULES)
    with pytest.raises(ValidationError):
        policies.withdraw_policy(admin, current)
    coming = policies.create_policy(
        admin, site=site, name="later", checks=HALL_RULES, effective_from=timezone.now() + timedelta(hours=2)
    )
    policies.withdraw_policy(admin, coming)
    assert policies.in_force(site, timezone.now() + timedelta(hours=3)) == current


def test_who_may_set_policies(demo):
    site = Site.objects.get(name="客户服务中心营业厅")
    county = Region.objects.get(code="331126")
    with pytest.raises(PermissionDenied):
        policies.create_policy(demo["hufenfen"], site=site, name="staff", checks=HALL_RULES)
    with pytest.raises(PermissionDenied):
        policies.create_policy(demo["xiajiang"], site=site, name="other county", checks=HALL_RULES)
    with pytest.raises(PermissionDenied):
        policies.create_policy(demo["qy_power"], region=county, name="org admin", checks=HALL_RULES)
    policies.create_policy(demo["qingyuan"], region=county, name="coordinator", checks=HALL_RULES)


def test_the_database_refuses_a_check_without_its_value(demo):
    site = Site.objects.get(name="客户服务中心营业厅")
    policy = policies.create_policy(None, site=site, name="p", checks=HALL_RULES)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyCheck.objects.create(policy=policy, kind=CheckKind.TEST_RESULT)  # no hours
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyCheck.objects.create(policy=policy, kind=CheckKind.RISK_AREA, within_days=14, on_fail=Decision.ADMIT)
    with pytest.raises(ValidationError):
        policies.create_policy(None, site=site, name="q", checks=[CheckSpec(CheckKind.TEMPERATURE, Decimal("41"))])
