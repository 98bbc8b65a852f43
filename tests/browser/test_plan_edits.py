"""A market manager's hand edits on a phone: the plan's settings on its page, and one dialog that
moves any stop onto any vehicle of the plan, an idle one included (a new route appears)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fugong.delivery.models import DeliveryPlan, Echelon, RouteStop
from fugong.delivery.services import fleet, planning
from fugong.demo.delivery import load_delivery
from fugong.demo.volunteers import load_volunteers
from fugong.directory.models import Organisation, Site

from .conftest import PHONE, SHOTS_DIR

pytestmark = [pytest.mark.browser]


@pytest.fixture
def viewport() -> Any:
    return PHONE


def planned(settings: Any) -> DeliveryPlan:
    settings.ROUTING_WORKERS = 1
    load_volunteers(mutual_aid_only=True)
    load_delivery()
    plan = planning.create_plan(
        None,
        Organisation.objects.get(short_name="峡江县局"),
        day=timezone.localdate() + timedelta(days=1),
        network_points=[Site.objects.get(name="巴邱网点")],
        search_seconds=1,
    )
    fleet.take_suggested_fleet(None, plan)
    planning.start_planning(None, plan)
    planning.run_plan(plan, keep_locked=False)
    return plan


def test_a_stop_moves_onto_an_idle_vehicle_in_one_dialog(login: Callable[[str], Page], settings: Any) -> None:
    page = login("huyao")
    plan = planned(settings)
    routes = plan.routes.filter(echelon=Echelon.LAST_MILE)
    smallest, other = sorted(routes, key=lambda r: r.stops.count())[:2]
    idle = smallest.vehicle
    smallest_id = smallest.pk
    while stop := RouteStop.objects.filter(route_id=smallest_id, is_reload=False).first():  # its vehicle is left idle
        planning.move_stop(None, stop, other.vehicle, 1)
    before = plan.routes.count()
    page.goto(f"/delivery/plans/{plan.pk}/")
    routes_listed = page.locator("#route-table tbody tr:not(.idle)")
    expect(routes_listed).to_have_count(before)
    expect(page.locator("#route-table tbody tr.idle").filter(has_text=idle.label)).to_have_count(1)
    moving = other.stops.filter(is_reload=False).order_by("position").first()
    assert moving is not None
    page.locator(f"button[data-field-move='{moving.pk}']").click()
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("select[name=to_vehicle]").select_option(str(idle.pk))
    expect(dialog.locator(f"option[value='{idle.pk}']")).to_contain_text("空闲")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"{SHOTS_DIR}/delivery-move-dialog.png")
    dialog.locator("button:not([data-closes])").click()
    expect(page.locator(".messages")).to_contain_text("已移到")
    new = plan.routes.get(vehicle=idle)
    expect(page.locator(f"#route-{new.number}")).to_contain_text(moving.shop.name)
    expect(routes_listed).to_have_count(before + 1)
    page.screenshot(path=f"{SHOTS_DIR}/delivery-plan-phone.png", full_page=True)
