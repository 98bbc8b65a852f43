from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fugong.directory.models import Site
from fugong.screening.models import CheckKind, Decision, Venue
from fugong.screening.services import policies, venues
from fugong.screening.services.policies import CheckSpec

HALL_RULES = [
    CheckSpec(CheckKind.TEMPERATURE, Decimal("37.3")),
    CheckSpec(CheckKind.HEALTH_CODE),
    CheckSpec(CheckKind.MASK, on_fail=Decision.REFER),
]
GREEN = {"temperature": "36.5", "health_code": "green", "mask": "yes"}


@pytest.fixture
def hall(demo: Any) -> Venue:
    return open_hall()


def open_hall() -> Venue:
    """The Qingyuan service hall screening visitors with 一测温二登记三受理, in force since yesterday."""
    site = Site.objects.get(name="客户服务中心营业厅")
    venue = venues.open_venue(None, site)
    policies.create_policy(
        None, site=site, name="一测温二登记三受理", checks=HALL_RULES, effective_from=timezone.now() - timedelta(days=1)
    )
    return venue
