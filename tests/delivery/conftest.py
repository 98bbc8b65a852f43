from typing import Any

import pytest
from django.utils import timezone

from fugong.delivery.models import DeliveryPlan
from fugong.delivery.services import dispatch, fleet, planning
from fugong.directory.models import Organisation, Site


@pytest.fixture
def bureau(demo_delivery: Any) -> Organisation:
    return Organisation.objects.get(short_name="峡江县局")


@pytest.fixture
def quick_plan(bureau: Organisation, settings: Any) -> DeliveryPlan:
    """Baqiu's last mile planned in a second, in this process (for tests about what follows)."""
    settings.ROUTING_WORKERS = 1
    plan = planning.create_plan(
        None,
        bureau,
        day=timezone.localdate(),
        network_points=[Site.objects.get(name="巴邱网点")],
        search_seconds=1,
    )
    fleet.take_suggested_fleet(None, plan)
    planning.start_planning(None, plan)
    planning.run_plan(plan, keep_locked=False)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def published(quick_plan: DeliveryPlan) -> DeliveryPlan:
    dispatch.publish_plan(None, quick_plan)
    quick_plan.refresh_from_db()
    return quick_plan
