import io
import json
import os
from datetime import time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from PIL import Image

from fugong.accounts.models import User
from fugong.core import erasure
from fugong.core.clock import local_time
from fugong.delivery.models import DeliveryPlan, Echelon, HandedOver, OrderStatus, PlanStatus, Route, RouteStop
from fugong.delivery.services import dispatch, fleet, planning
from fugong.directory import services as directory
from fugong.directory.models import Region, Site
from fugong.notify.models import Message


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


def busiest_route(plan: DeliveryPlan) -> Route:
    routes = plan.routes.filter(echelon=Echelon.LAST_MILE)
    return max(routes, key=lambda r: r.stops.filter(is_reload=False).count())


def deliveries(route: Route) -> list[RouteStop]:
    return list(route.stops.filter(is_reload=False).order_by("position"))


def post(client: Client, route: Route, stop: RouteStop, action: str, key: str, **fields: Any) -> Any:
    url = f"/api/delivery/runs/{dispatch.route_token(route)}/stops/{stop.pk}/{action}"
    if action == "handover":
        fields.setdefault("photo", io.BytesIO(photo_bytes()))
        fields["photo"].name = "handover.jpg"
        fields["photo"].seek(0)
    return client.post(url, fields, HTTP_IDEMPOTENCY_KEY=key)


def full_quantities(stop: RouteStop) -> dict[int, int]:
    return {line.pk: line.quantity for order in stop.orders.all() for line in order.lines.all()}


def test_publishing_plans_the_orders_and_tells_shops_and_drivers(published: DeliveryPlan) -> None:
    stops = RouteStop.objects.filter(route__plan=published, shop__isnull=False)
    shops = {s.shop.mobile for s in stops}
    assert published.orders.exclude(status=OrderStatus.PLANNED).count() == 0
    to_shops = Message.objects.filter(kind=dispatch.SHOP_PUBLISHED)
    assert set(to_shops.values_list("recipient", flat=True)) == shops
    drivers = Message.objects.filter(kind=dispatch.DRIVER_ROUTE)
    assert drivers.count() == published.routes.count()
    assert all("/delivery/r/" in m.body for m in drivers)


def test_drivers_links_start_with_base_url(quick_plan: DeliveryPlan, settings: Any) -> None:
    settings.BASE_URL = "http://127.0.0.1:8123"
    dispatch.publish_plan(None, quick_plan)
    sent = [m.body for m in Message.objects.filter(kind=dispatch.DRIVER_ROUTE)]
    made = [dispatch.route_link(route) for route in quick_plan.routes.all()]
    assert sent and all(link.startswith("http://127.0.0.1:8123/delivery/r/") for link in made)
    assert all(any(link in body for link in made) for body in sent)
    assert Client().get(made[0].removeprefix("http://127.0.0.1:8123")).status_code == 200


def test_the_evening_before_a_driver_can_read_the_route_but_not_record_it(published: DeliveryPlan) -> None:
    """On 12-06 a route of the 12-07 plan once accepted deliveries and texted shops a day early."""
    route = busiest_route(published)
    first = deliveries(route)[0]
    told = Message.objects.count()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    with time_machine.travel(local_time(published.day - timedelta(days=1), time(19, 30)), tick=False):
        page = client.get(f"/delivery/r/{dispatch.route_token(route)}/").content.decode()
        assert f"这条路线是 {published.day:%m-%d} 的" in page and 'data-action="arrive"' not in page
        early = post(client, route, first, "arrive", "k-early")
        assert early.status_code == 422
        assert f"这条路线是 {published.day:%m-%d} 的" in json.dumps(early.json(), ensure_ascii=False)
    first.refresh_from_db()
    route.refresh_from_db()
    assert first.arrived_at is None and route.started_at is None and Message.objects.count() == told
    with time_machine.travel(local_time(published.day, time(7, 30)), tick=False):
        assert 'data-action="arrive"' in client.get(f"/delivery/r/{dispatch.route_token(route)}/").content.decode()
        assert post(client, route, first, "arrive", "k-on-the-day").status_code == 200


def test_delivering_on_the_phone_records_once_and_tells_the_next_shops(published: DeliveryPlan) -> None:
    client = Client()
    route = busiest_route(published)
    first, second, third, fourth = deliveries(route)[:4]
    assert post(client, route, first, "arrive", "k-arrive-1").status_code == 200
    # Starting the route sends its orders out; the two shops after this one hear the driver is coming.
    assert set(first.orders.values_list("status", flat=True)) == {OrderStatus.OUT}
    near = Message.objects.filter(kind=dispatch.SHOP_NEAR)
    assert set(near.values_list("recipient", flat=True)) == {second.shop.mobile, third.shop.mobile}

    quantities = full_quantities(first)
    answer = post(client, route, first, "handover", "k-hand-1", quantities=json.dumps(quantities))
    assert answer.status_code == 200, answer.content
    again = post(client, route, first, "handover", "k-hand-1", quantities=json.dumps(quantities))
    assert again.status_code == 200 and again.json() == answer.json()
    assert HandedOver.objects.filter(stop=first).count() == len(quantities)
    assert set(first.orders.values_list("status", flat=True)) == {OrderStatus.DELIVERED}
    assert near.count() == 2  # each shop is told once
    post(client, route, second, "arrive", "k-arrive-2")
    assert set(near.values_list("recipient", flat=True)) == {s.shop.mobile for s in (second, third, fourth)}
    # Recording the same stop again under a new key is refused, not doubled.
    twice = post(client, route, first, "handover", "k-hand-2", quantities=json.dumps(quantities))
    assert twice.status_code == 422
    assert HandedOver.objects.filter(stop=first).count() == len(quantities)


def test_a_shortfall_needs_a_reason_and_leaves_the_order_short(published: DeliveryPlan) -> None:
    client = Client()
    route = busiest_route(published)
    stop = deliveries(route)[0]
    quantities = full_quantities(stop)
    line = next(iter(quantities))
    quantities[line] -= 2
    refused = post(client, route, stop, "handover", "s-1", quantities=json.dumps(quantities))
    assert refused.status_code == 422 and "2" in json.dumps(refused.json(), ensure_ascii=False)
    assert not HandedOver.objects.filter(stop=stop).exists()
    ok = post(
        client, route, stop, "handover", "s-2", quantities=json.dumps(quantities), reason="两条包装破损，退回网点"
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "short"
    for order in stop.orders.all():  # only the order with the short line is short
        short = order.lines.filter(pk=line).exists()
        assert order.status == (OrderStatus.SHORT if short else OrderStatus.DELIVERED)


def test_a_refusal_needs_a_reason_and_no_photo(published: DeliveryPlan) -> None:
    client = Client()
    route = busiest_route(published)
    stop = deliveries(route)[1]
    url = f"/api/delivery/runs/{dispatch.route_token(route)}/stops/{stop.pk}/handover"
    assert client.post(url, {"refused": "true"}, HTTP_IDEMPOTENCY_KEY="r-1").status_code == 422
    ok = client.post(url, {"refused": "true", "reason": "店主不在，店门未开"}, HTTP_IDEMPOTENCY_KEY="r-2")
    assert ok.status_code == 200 and ok.json()["outcome"] == "refused"
    assert set(stop.orders.values_list("status", flat=True)) == {OrderStatus.REFUSED}


def test_quantities_that_are_no_whole_numbers_are_refused(published: DeliveryPlan) -> None:
    """1e400 reads as infinity, which has no whole number (it answered 500)."""
    route = busiest_route(published)
    stop = deliveries(route)[0]
    line = next(iter(full_quantities(stop)))
    for quantities in (f'{{"{line}": 1e400}}', f'{{"{line}": "many"}}', "[1]"):
        refused = post(Client(), route, stop, "handover", f"q-{quantities}", quantities=quantities)
        assert refused.status_code == 422, quantities
        assert list(refused.json()["errors"]) == ["quantities"]
        assert not HandedOver.objects.filter(stop=stop).exists()


def test_a_renewed_or_forged_link_opens_nothing(published: DeliveryPlan) -> None:
    client = Client()
    route = busiest_route(published)
    old = dispatch.route_token(route)
    dispatch.renew_route_link(None, route)
    assert client.get(f"/api/delivery/runs/{old}").status_code == 403
    assert client.get(f"/delivery/r/{old}/").status_code == 403
    assert client.get(f"/api/delivery/runs/{old[:-2]}xx").status_code == 403
    assert client.get(f"/api/delivery/runs/{dispatch.route_token(route)}").status_code == 200


def test_a_stop_of_another_route_cannot_be_recorded_with_this_link(published: DeliveryPlan) -> None:
    routes = list(published.routes.filter(echelon=Echelon.LAST_MILE))
    mine, other = routes[0], routes[1]
    stranger = deliveries(other)[0]
    url = f"/api/delivery/runs/{dispatch.route_token(mine)}/stops/{stranger.pk}/arrive"
    assert Client().post(url).status_code == 422
    stranger.refresh_from_db()
    assert stranger.arrived_at is None


@pytest.mark.parametrize("digits_ok", [True, False])
def test_a_shop_sees_its_order_and_expected_time(published: DeliveryPlan, digits_ok: bool) -> None:
    stop = deliveries(busiest_route(published))[2]
    shop = stop.shop
    digits = shop.mobile[-4:] if digits_ok else str((int(shop.mobile[-4:]) + 1) % 10000).zfill(4)
    page = Client().post("/delivery/status/", {"licence_number": shop.licence_number, "last_digits": digits})
    text = page.content.decode()
    if digits_ok:
        assert shop.name in text and 'data-status="planned"' in text
        assert f"{stop.arrives_at // 3600:02d}:{stop.arrives_at % 3600 // 60:02d}" in text
    else:
        assert shop.name not in text


def test_shops_behind_one_address_do_not_lock_each_other_out(published: DeliveryPlan) -> None:
    """A shop guessing its neighbour's digits is stopped at that licence; the shops next door, on the
    same carrier address, still get their answer."""
    shops = [stop.shop for stop in deliveries(busiest_route(published))[:2]]
    guesser, neighbour = shops[0], shops[1]
    client = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(12):
        client.post("/delivery/status/", {"licence_number": guesser.licence_number, "last_digits": f"{n:04d}"})
    right = {"licence_number": guesser.licence_number, "last_digits": guesser.mobile[-4:]}
    assert guesser.name not in client.post("/delivery/status/", right).content.decode()  # that licence is locked
    mine = {"licence_number": neighbour.licence_number, "last_digits": neighbour.mobile[-4:]}
    assert neighbour.name in client.post("/delivery/status/", mine).content.decode()


def test_hand_over_photos_are_deleted_after_the_retention_period(
    published: DeliveryPlan, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    route = busiest_route(published)
    stop = deliveries(route)[0]
    post(Client(), route, stop, "handover", "p-1", quantities=json.dumps(full_quantities(stop)))
    stop.refresh_from_db()
    stored = stop.photo.path
    with open(stored, "rb") as on_disk:
        assert on_disk.read(2) == b"\xff\xd8"  # a JPEG on disk
    days = settings.RETENTION_DAYS["handover_photos"]
    photos = erasure.get("delivery.handover_photos")
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.erase(photos, timezone.now() + timedelta(days=days - 1)) == 0
    stop.refresh_from_db()
    assert stop.photo and os.path.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.erase(photos, timezone.now() + timedelta(days=days + 1)) == 1
    stop.refresh_from_db()
    assert not stop.photo and stop.outcome == "delivered"  # the record of the hand-over stays
    assert not os.path.exists(stored)


def test_drivers_mobiles_leave_a_plan_after_the_retention_period(published: DeliveryPlan, settings: Any) -> None:
    mobiles = erasure.get("delivery.driver_mobiles")
    first_erased = published.day + timedelta(days=settings.RETENTION_DAYS["handover_photos"] + 1)
    with_mobile = published.fleet.exclude(driver_mobile="").count()
    assert with_mobile
    assert erasure.erase(mobiles, local_time(first_erased - timedelta(days=1), time(23, 59))) == 0
    erased = erasure.erase(mobiles, local_time(first_erased, time(0, 1)))
    assert erased == with_mobile and not published.fleet.exclude(driver_mobile="").exists()
    assert all(published.fleet.values_list("driver_name", flat=True))  # who drove stays on the plan


def test_closing_the_day_returns_what_was_not_handed_over_and_ends_the_links(published: DeliveryPlan) -> None:
    client = Client()
    route = busiest_route(published)
    first, second = deliveries(route)[:2]
    post(client, route, first, "handover", "c-1", quantities=json.dumps(full_quantities(first)))
    dispatch.close_plan(None, published)
    assert set(first.orders.values_list("status", flat=True)) == {OrderStatus.DELIVERED}
    assert set(second.orders.values_list("status", flat=True)) == {OrderStatus.PLACED}  # back in the backlog
    assert client.get(f"/api/delivery/runs/{dispatch.route_token(route)}").status_code == 403


def test_a_plan_whose_orders_were_held_since_cannot_be_published(quick_plan: DeliveryPlan) -> None:
    directory.set_zone_status(None, Region.objects.get(code="360823100"), "closed")  # Baqiu closes again
    with pytest.raises(ValidationError, match=str(quick_plan.orders.count())):  # every Baqiu order is named
        dispatch.publish_plan(None, quick_plan)
    quick_plan.refresh_from_db()
    assert quick_plan.status == PlanStatus.READY
    assert not Message.objects.filter(kind=dispatch.SHOP_PUBLISHED).exists()


def test_closing_a_zone_holds_a_published_plans_stops_there_until_it_reopens(published: DeliveryPlan) -> None:
    """Baqiu closes after the plan went out: the plan says so, the driver's page holds the stops
    (no buttons, refused if sent), and they go ahead by themselves when the town reopens."""
    route = busiest_route(published)
    first = deliveries(route)[0]
    baqiu = Region.objects.get(code="360823100")
    manager = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    manager.force_login(User.objects.get(username="huanghuiyun"))
    driver = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    run_page = f"/delivery/r/{dispatch.route_token(route)}/"
    stops_there = RouteStop.objects.filter(route__plan=published, shop__region__code__startswith="360823100").count()

    published.created_by = User.objects.get(username="huanghuiyun")
    published.save(update_fields=["created_by"])
    directory.set_zone_status(None, baqiu, "closed")
    told = Message.objects.get(kind="plan_stops_held")  # the plan's manager hears of it
    assert told.recipient.endswith("13907960002") and f"{stops_there} 个送货点暂缓" in told.body
    plan_page = manager.get(f"/delivery/plans/{published.pk}/").content.decode()
    assert f"{stops_there} 个停靠点所在区域在发布后封控" in plan_page
    page = driver.get(run_page).content.decode()
    assert page.count("暂缓：该店所在区域已封控") == len(deliveries(route)) and 'data-action="arrive"' not in page
    assert f"已发布，{stops_there} 个停靠点暂缓" in manager.get("/").content.decode()  # the manager's home page
    refused = post(driver, route, first, "arrive", "z-1")
    assert refused.status_code == 422 and "区域已封控" in json.dumps(refused.json(), ensure_ascii=False)

    directory.set_zone_status(None, baqiu, "open")
    assert "发布后封控" not in manager.get(f"/delivery/plans/{published.pk}/").content.decode()
    assert "暂缓" not in driver.get(run_page).content.decode()
    assert post(driver, route, first, "arrive", "z-2").status_code == 200


def test_a_plan_cancelled_while_it_is_planned_stays_cancelled(bureau: Any, settings: Any) -> None:
    settings.ROUTING_WORKERS = 1
    plan = planning.create_plan(
        None, bureau, day=timezone.localdate(), network_points=[Site.objects.get(name="巴邱网点")], search_seconds=1
    )
    fleet.take_suggested_fleet(None, plan)
    planning.start_planning(None, plan)
    planning.cancel_plan(None, plan)  # the dispatcher gives up while the worker is still at it
    planning.run_plan(plan, keep_locked=False)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED


def test_a_multipart_body_without_its_boundary_is_a_json_400(published: DeliveryPlan) -> None:
    """A phone's broken upload is the caller's mistake, answered in JSON, and records nothing."""
    route = busiest_route(published)
    stop = deliveries(route)[0]
    url = f"/api/delivery/runs/{dispatch.route_token(route)}/stops/{stop.pk}/handover"
    response = Client().post(url, data=b"--x\r\nabc", content_type="multipart/form-data", HTTP_IDEMPOTENCY_KEY="b-1")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "boundary" in response.json()["message"]
    stop.refresh_from_db()
    assert stop.completed_at is None
