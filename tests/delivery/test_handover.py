import io
import json
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from fugong.delivery import dispatch
from fugong.delivery.models import DeliveryPlan, Echelon, HandedOver, OrderStatus, Route, RouteStop
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


def test_delivering_on_the_phone_records_once_and_tells_the_next_shops(published: DeliveryPlan) -> None:
    client = Client()
    route = busiest_route(published)
    first, second, third = deliveries(route)[:3]
    assert post(client, route, first, "arrive", "k-arrive-1").status_code == 200
    # Starting the route sends its orders out, and the next two shops hear the driver is coming.
    assert set(first.orders.values_list("status", flat=True)) == {OrderStatus.OUT}
    near = Message.objects.filter(kind=dispatch.SHOP_NEAR)
    assert set(near.values_list("recipient", flat=True)) == {first.shop.mobile, second.shop.mobile}

    quantities = full_quantities(first)
    answer = post(client, route, first, "handover", "k-hand-1", quantities=json.dumps(quantities))
    assert answer.status_code == 200, answer.content
    again = post(client, route, first, "handover", "k-hand-1", quantities=json.dumps(quantities))
    assert again.status_code == 200 and again.json() == answer.json()
    assert HandedOver.objects.filter(stop=first).count() == len(quantities)
    assert set(first.orders.values_list("status", flat=True)) == {OrderStatus.DELIVERED}
    assert set(near.values_list("recipient", flat=True)) == {s.shop.mobile for s in (first, second, third)}
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
