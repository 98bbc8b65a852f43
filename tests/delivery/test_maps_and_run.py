"""The plan's map on the configured streets (in their coordinate system) and the driver's phone
page: the next stop on top with its cartons, the shop's number to call and links that navigate
there; the rest folded below; a held stop is never the next."""

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.test import Client
from django.utils.translation import gettext as _

from fugong.core.geo import wgs84_to_gcj02
from fugong.core.templatetags.fugong import mobile
from fugong.delivery.models import DeliveryPlan, Echelon, Route, RouteStop
from fugong.delivery.services import dispatch
from fugong.directory import services as directory


def map_json(client: Client, plan: DeliveryPlan) -> dict[str, Any]:
    page = client.get(f"/delivery/plans/{plan.pk}/").content.decode()
    found = re.search(r'<script id="route-map-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "no map data on the plan page"
    return json.loads(found[1])


def first_stop(data: dict[str, Any]) -> dict[str, Any]:
    return next(stop for route in data["routes"] for stop in route["stops"])


def test_the_map_fetches_nothing_unless_tiles_are_configured(quick_plan: DeliveryPlan, client_for: Any) -> None:
    data = map_json(client_for("huyao"), quick_plan)
    assert data["tiles"] == [] and data["attribution"] == ""
    stop = RouteStop.objects.filter(route__plan=quick_plan, is_reload=False).order_by("route__number", "position")[0]
    assert stop.shop is not None
    assert first_stop(data)["at"] == [float(stop.shop.latitude), float(stop.shop.longitude)]  # WGS-84 as stored
    assert first_stop(data)["position"] == stop.position


def test_amap_gets_its_points_in_gcj02_and_tianditu_as_stored(
    quick_plan: DeliveryPlan, client_for: Any, settings: Any
) -> None:
    client = client_for("huyao")
    stop = RouteStop.objects.filter(route__plan=quick_plan, is_reload=False).order_by("route__number", "position")[0]
    assert stop.shop is not None
    wgs = (float(stop.shop.latitude), float(stop.shop.longitude))

    settings.MAP_TILES = "amap"
    data = map_json(client, quick_plan)
    assert [layer["url"] for layer in data["tiles"]] == [
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
    ]
    assert data["tiles"][0]["subdomains"] == "1234" and data["attribution"] == _("© AutoNavi (Amap)")
    assert first_stop(data)["at"] == list(wgs84_to_gcj02(*wgs))
    hub = stop.route.vehicle.hub
    assert data["routes"][0]["path"][0] == list(wgs84_to_gcj02(float(hub.latitude), float(hub.longitude)))

    settings.MAP_TILES, settings.MAP_TILE_KEY = "tianditu", "tdt-key"
    data = map_json(client, quick_plan)
    assert [urlsplit(layer["url"]).path for layer in data["tiles"]] == ["/vec_w/wmts", "/cva_w/wmts"]
    assert all(layer["url"].endswith("&tk=tdt-key") for layer in data["tiles"])
    assert data["attribution"] == _("© Tianditu (National Platform for Common GeoSpatial Information Services)")
    assert first_stop(data)["at"] == list(wgs)


def busiest_route(plan: DeliveryPlan) -> Route:
    routes = plan.routes.filter(echelon=Echelon.LAST_MILE)
    return max(routes, key=lambda r: r.stops.filter(is_reload=False).count())


def next_slot(page: str) -> str:
    found = re.search(r'<ol class="run-stops" id="next-slot">(.*?)</ol>', page, re.S)
    assert found
    return found[1]


def links(fragment: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', fragment)]


def test_the_next_stop_is_on_top_with_its_cartons_call_and_navigation(published: DeliveryPlan) -> None:
    route = busiest_route(published)
    stops = list(route.stops.filter(is_reload=False).order_by("position"))
    first = stops[0]
    shop = first.shop
    assert shop is not None
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/delivery/r/{dispatch.route_token(route)}/").content.decode()
    top = next_slot(page)
    assert f'id="stop-{first.pk}"' in top and top.count('class="panel run-stop') == 1
    assert page.index('id="next-slot"') < page.index("<details") < page.index(f'id="stop-{stops[1].pk}"')
    assert shop.name in top and shop.address in top and f"{first.cartons} 条" in top
    assert 'data-action="arrive"' in top and 'data-action="handover"' in top
    # The driver calls the shop's full number (a driver has always seen it; lists mask it).
    assert f"tel:{mobile(shop.mobile)}" in links(top)

    amap = next(u for u in links(top) if u.startswith("https://uri.amap.com/navigation?"))
    query = parse_qs(urlsplit(amap).query)
    longitude, latitude, name = query["to"][0].split(",", 2)
    gcj = wgs84_to_gcj02(float(shop.latitude), float(shop.longitude))
    assert (float(latitude), float(longitude)) == (round(gcj[0], 6), round(gcj[1], 6)) and name == shop.name
    assert (float(latitude), float(longitude)) != (float(shop.latitude), float(shop.longitude))  # shifted
    assert query["coordinate"] == ["gaode"] and query["mode"] == ["car"] and query["callnative"] == ["1"]

    baidu = next(u for u in links(top) if u.startswith("https://api.map.baidu.com/direction?"))
    query = parse_qs(urlsplit(baidu).query)
    assert unquote(query["destination"][0]) == f"latlng:{shop.latitude:.6f},{shop.longitude:.6f}|name:{shop.name}"
    assert query["coord_type"] == ["wgs84"] and query["mode"] == ["driving"] and query["output"] == ["html"]
    # Every stop can still be recorded from the folded route, as before.
    assert page.count('data-action="arrive"') == len(stops)


def test_a_recorded_stop_leaves_the_top_to_the_following_one(published: DeliveryPlan) -> None:
    route = busiest_route(published)
    first, second = route.stops.filter(is_reload=False).order_by("position")[:2]
    first.outcome, first.completed_at = "delivered", published.created_at
    first.save()  # as the hand-over service leaves it (the API's flow is tested in test_handover)
    page = Client().get(f"/delivery/r/{dispatch.route_token(route)}/").content.decode()
    assert f'id="stop-{second.pk}"' in next_slot(page)
    assert 'class="panel run-stop done"' in page.split("<details", 1)[1]


def test_a_held_stop_is_never_the_next(published: DeliveryPlan) -> None:
    route = busiest_route(published)
    stops = list(route.stops.filter(is_reload=False).order_by("position"))
    region = stops[0].shop.region  # type: ignore[union-attr]
    directory.set_zone_status(None, region, "closed")
    held = [s for s in stops if s.shop and s.shop.region.code.startswith(region.code)]
    free = [s for s in stops if s not in held]
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/delivery/r/{dispatch.route_token(route)}/").content.decode()
    top = next_slot(page)
    if free:
        assert f'id="stop-{free[0].pk}"' in top
    assert "暂缓：该店所在区域已封控" not in top and stops[0].pk not in [s.pk for s in free]
    assert page.count("暂缓：该店所在区域已封控") == len(held)
    card = re.search(rf'<li [^>]*id="stop-{stops[0].pk}".*?</li>', page, re.S)
    assert card and "data-held" in card[0] and "data-action" not in card[0] and "uri.amap.com" not in card[0]
