from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fugong.directory.models import Organisation, Region
from fugong.notify.models import Channel
from fugong.power.models import CapacityTariff, PowerAccount, SuspensionRules
from fugong.power.services import customers, telling

COMPANY = "国网庆元县供电公司"


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def company(demo: Any) -> Organisation:
    """The Qingyuan power company with its SMS texts on the demo console channel and a capacity
    tariff of 30 yuan per kVA and month."""
    org = Organisation.objects.get(short_name=COMPANY)
    telling.install_templates(None, Channel.objects.get(organisation=org))
    CapacityTariff.objects.create(organisation=org, effective_from=date(2019, 1, 1), price=Decimal("30.00"))
    return org


@pytest.fixture
def relaxed(company: Organisation) -> SuspensionRules:
    """The epidemic relaxation from 2020-02-01 (day-level, extended by 15 days)."""
    return SuspensionRules.objects.create(organisation=company, epidemic_from=date(2020, 2, 1), extension_days=15)


def make_account(company: Organisation, number: str = "3301260001", **fields: Any) -> PowerAccount:
    values: dict[str, Any] = {
        "number": number,
        "holder": "浙江昌达实业有限公司",
        "kind": "enterprise",
        "voltage": "high",
        "billing": "two_part",
        "industry": "manufacturing",
        "capacity_kva": 1250,
        "region": Region.objects.get(code="331126003"),
        "supply_station": "松源供电所",
        "contact_name": "吴总",
        "mobile": "13905786001",
    }
    values.update(fields)
    return customers.save_account(None, company, **values)


@pytest.fixture
def changda(company: Organisation) -> PowerAccount:
    return make_account(company)


@pytest.fixture
def hall_venue(company: Organisation) -> Any:
    """The hall screening its door (一测温二登记三受理), as in the screening tests."""
    from tests.screening.conftest import open_hall

    return open_hall()
