"""The seed's day, end to end: the market manager plans Baqiu's 118 shops with the bureau's and
the volunteers' vehicles and publishes; a driver delivers three stops on a phone, with photos
and one shortfall; the office sees the progress and the shops see their orders change."""

from collections.abc import Callable
from datetime import time
from typing import Any
from urllib.parse import urlparse

import pytest
import time_machine
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from fugong.core.clock import local_time
from fugong.delivery.models import DeliveryPlan, Echelon, OrderStatus
from fugong.demo.delivery import load_delivery
from fugong.demo.volunteers import load_volunteers
from fugong.directory.models import Site

from .conftest import PHONE, SHOTS_DIR, watch_csp

pytestmark = [pytest.mark.browser]


def photo_file(tmp_path: Any) -> str:
    path = tmp_path / "handover.jpg"
    Image.new("RGB", (1600, 1200), "orange").save(path, "JPEG")
    return str(path)


def test_plan_publish_deliver_and_follow(
    login: Callable[[str], Page], browser: Browser, live_server: Any, run_tasks: Any, settings: Any, tmp_path: Any
) -> None:
    settings.ROUTING_WORKERS = 1
    load_volunteers(mutual_aid_only=True)
    load_delivery()
    page = login("huyao")
    page.goto("/delivery/plans/")
    jinchuan = Site.objects.get(name="新干金川网点").pk
    page.uncheck(f"input[name=network_points][value='{jinchuan}']")
    page.select_option("select[name=depot]", str(Site.objects.get(name="峡江县局配送中转站").pk))
    page.fill("input[name=search_seconds]", "3")
    page.click("#new-plan button[type=submit]")
    expect(page.locator("#fleet tbody tr")).not_to_have_count(0)
    page.click("button[name=solve]")
    expect(page.locator(".job")).to_be_visible()
    run_tasks()  # what `fugong worker` does beside the web server
    # The page follows the job and reloads itself when it ends (behaviour.js, data-reload-when-done).
    expect(page.locator("#shops-served")).to_have_text("118 / 118", timeout=15_000)
    expect(page.locator("#route-map .leaflet-interactive").first).to_be_attached()
    page.screenshot(path=f"{SHOTS_DIR}/delivery-plan.png", full_page=True)
    page.click("button[name=publish]")
    expect(page.locator("#plan-status")).to_have_attribute("class", "pill published")

    plan = DeliveryPlan.objects.get()
    route = max(plan.routes.filter(echelon=Echelon.LAST_MILE), key=lambda r: r.stops.filter(is_reload=False).count())
    page.goto(f"/delivery/plans/{plan.pk}/routes/{route.pk}/link/")
    link = page.locator("#route-link").inner_text()

    # The driver delivers on the plan's day (a link opened before it records nothing).
    with time_machine.travel(local_time(plan.day, time(7, 30)), tick=True):
        phone_context = browser.new_context(
            viewport=PHONE, base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True
        )
        refused_on_phone = watch_csp(phone_context)
        phone = phone_context.new_page()
        phone.goto(urlparse(link).path)
        stops = list(route.stops.filter(is_reload=False).order_by("position")[:3])
        picture = photo_file(tmp_path)
        for index, stop in enumerate(stops):
            card = phone.locator(f"#stop-{stop.pk}")
            card.locator("form.arrive button").click()
            expect(card.locator("form.arrive")).to_be_hidden()
            expect(card.locator(".stop-state")).not_to_be_empty()  # the server has the arrival
            card.locator("input[name=photo]").set_input_files(picture)
            if index == 2:  # the third shop takes two cartons fewer of its first brand
                first_line = card.locator("input[data-line]").first
                first_line.fill(str(int(first_line.input_value()) - 2))
                card.locator("input[name=reason]").fill("两条外包装破损，店主拒收")
            card.locator("form.handover button[type=submit]").click()
            expect(card).to_have_class("panel run-stop done")
        # Each hand-over brought the following stop up; the rest of the route stays folded.
        fourth = route.stops.filter(is_reload=False).order_by("position")[3]
        expect(phone.locator("#next-slot .run-stop")).to_have_id(f"stop-{fourth.pk}")
        expect(phone.locator("details.run-rest")).not_to_have_attribute("open", "")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        phone.screenshot(path=f"{SHOTS_DIR}/delivery-phone.png")
        phone.evaluate("0")  # a round trip, so that every report has arrived
        assert refused_on_phone == []  # the driver's page works under the Content-Security-Policy

        # The office signs in again that morning: the day may be more than a session's 12 hours
        # away from when the plan was made (after midnight, "tomorrow" is a day and a half ahead).
        page.context.clear_cookies()
        login("huyao")
        page.goto(f"/delivery/plans/{plan.pk}/")
        expect(page.locator(f"#live tr[data-route='{route.number}'] .done")).to_have_text(
            f"3 / {route.stops.filter(is_reload=False).count()}"
        )

        for stop, status in ((stops[0], OrderStatus.DELIVERED), (stops[2], OrderStatus.SHORT)):
            shop = stop.shop
            assert shop is not None
            page.goto("/delivery/status/")
            page.fill("input[name=licence_number]", shop.licence_number)
            page.fill("input[name=last_digits]", shop.mobile[-4:])
            page.click("main form button[type=submit]")
            expect(page.locator(f"#order-status [data-status='{status}']").first).to_be_visible()
        untouched = route.stops.filter(is_reload=False).order_by("position")[4].shop
        page.goto("/delivery/status/")
        page.fill("input[name=licence_number]", untouched.licence_number)
        page.fill("input[name=last_digits]", untouched.mobile[-4:])
        page.click("main form button[type=submit]")
        expect(page.locator("#order-status .eta").first).to_be_visible()
        page.screenshot(path=f"{SHOTS_DIR}/delivery-status.png")
