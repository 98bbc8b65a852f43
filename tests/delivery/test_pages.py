import io
import re
import zlib
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from fugong.delivery.models import DeliveryPlan, Driver, PlanStatus, Route, RouteStop, Vehicle
from fugong.delivery.services import dispatch
from fugong.directory.models import Organisation, Site


def bureau_vehicle(bureau: Organisation, plate: str) -> Vehicle:
    return Vehicle.objects.get(organisation=bureau, plate=plate)


def driver_list(bureau: Organisation) -> list[Driver]:
    return list(Driver.objects.filter(organisation=bureau))


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, with compressed streams (object streams hold the font names) inflated."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(inflated)


def test_the_backlog_shows_two_weeks_of_orders_by_town(bureau: Organisation, client_for: Any) -> None:
    page = client_for("huyao").get("/delivery/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "巴邱镇" in text and "金川镇" in text
    assert 'id="backlog-cartons"' in text


def test_volunteers_and_other_organisations_see_no_backlog_or_shops(bureau: Organisation, client_for: Any) -> None:
    for username in ("laoyan", "wuyuanzi", "hufenfen"):
        client = client_for(username)
        assert client.get("/delivery/").status_code == 403
        assert client.get("/api/delivery/backlog").json() == []


def test_shop_lists_mask_the_mobile_and_the_shop_page_shows_it(bureau: Organisation, client_for: Any) -> None:
    client = client_for("huyao")
    listing = client.get("/delivery/shops/?q=宋小娟").content.decode()
    assert "139****0007" in listing and "13923000007" not in listing
    shop = bureau.shops.get(owner="宋小娟")
    assert "13923000007" in client.get(f"/delivery/shops/{shop.pk}/").content.decode()


def test_planning_from_the_page_runs_in_the_background_and_shows_routes(
    bureau: Organisation, client_for: Any, run_tasks: Any, settings: Any
) -> None:
    settings.ROUTING_WORKERS = 1
    client = client_for("huyao")
    day = timezone.localdate() + timedelta(days=1)  # volunteers lend their vehicles for the next days
    point = Site.objects.get(name="巴邱网点")
    created = client.post(
        "/delivery/plans/",
        {
            "bureau": bureau.pk,
            "day": day.isoformat(),
            "network_points": [point.pk],
            "trunk_starts_at": "05:00",
            "trunk_deadline": "07:00",
            "last_mile_ends_at": "17:00",
            "longest_day_hours": "8",
            "own_vehicles_first": "on",
            "search_seconds": 2,
        },
    )
    plan = DeliveryPlan.objects.get(day=day)
    assert created.status_code == 302 and plan.fleet.count() > 3
    client.post(f"/delivery/plans/{plan.pk}/", {"solve": "1"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PLANNING and plan.job is not None
    run_tasks()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    page = client.get(f"/delivery/plans/{plan.pk}/").content.decode()
    assert 'id="route-map-data"' in page and "118 / 118" in page


def test_route_sheets_loading_lists_and_excel(quick_plan: DeliveryPlan, client_for: Any) -> None:
    client = client_for("wuziqiang")
    sheets = client.get(f"/delivery/plans/{quick_plan.pk}/print/sheets/")
    assert sheets.status_code == 200 and sheets.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in pdf_objects(sheets.content)  # the Chinese font is embedded
    loading = client.get(f"/delivery/plans/{quick_plan.pk}/print/loading/")
    assert loading.content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(client.get(f"/delivery/plans/{quick_plan.pk}/print/xlsx/").content))
    sheet = book.worksheets[0]
    cartons = sum(row[10] or 0 for row in sheet.iter_rows(min_row=2, values_only=True))
    assert cartons == sum(quick_plan.orders.values_list("cartons", flat=True))
    assert client_for("laoyan").get(f"/delivery/plans/{quick_plan.pk}/print/sheets/").status_code == 404


def test_a_dispatcher_moves_a_stop_and_locks_a_route_from_the_page(quick_plan: DeliveryPlan, client_for: Any) -> None:
    client = client_for("huyao")
    url = f"/delivery/plans/{quick_plan.pk}/"
    routes = list(quick_plan.routes.order_by("number"))
    source, target = routes[0], routes[1]
    stop = source.stops.filter(is_reload=False).order_by("position").first()
    assert stop is not None
    before = (source.stops.count(), target.stops.count())
    answer = client.post(url, {"move": stop.pk, "to_vehicle": target.vehicle_id, "position": 1})
    assert answer.status_code == 302
    assert (source.stops.count(), target.stops.count()) == (before[0] - 1, before[1] + 1)
    assert target.stops.get(position=1).shop_id == stop.shop_id
    # Emptying a route leaves its vehicle idle; the one move dialog still offers it, and a stop
    # moved onto it starts a new route, timed like the others.
    while left := source.stops.filter(is_reload=False).first():  # stops are rewritten after each move
        client.post(url, {"move": left.pk, "to_vehicle": target.vehicle_id, "position": 1})
    assert not Route.objects.filter(pk=source.pk).exists()
    page = client.get(url).content.decode()
    assert page.count('id="move-dialog"') == 1 and f'<option value="{source.vehicle_id}"' in page
    movable = RouteStop.objects.filter(route__plan=quick_plan, route__locked=False, is_reload=False)
    assert page.count('data-opens="move-dialog"') == movable.count()
    again = target.stops.filter(is_reload=False).order_by("position").first()
    client.post(url, {"move": again.pk, "to_vehicle": source.vehicle_id, "position": 1})
    new = quick_plan.routes.get(vehicle_id=source.vehicle_id)
    assert [s.shop_id for s in new.stops.filter(is_reload=False)] == [again.shop_id]
    assert new.starts_at < new.stops.get().arrives_at < new.ends_at and new.distance_m > 0
    client.post(url, {"lock": target.pk})
    target.refresh_from_db()
    assert target.locked
    # A locked route takes no moves; the page says why instead of failing.
    other = new.stops.get()
    page = client.post(url, {"move": other.pk, "to_vehicle": target.vehicle_id, "position": 1}, follow=True)
    assert page.status_code == 200 and new.stops.count() == 1
    assert client.post(url, {"move": "x", "to_vehicle": target.vehicle_id}).status_code == 404
    assert client_for("laoyan").post(url, {"lock": source.pk}).status_code == 404


def test_the_plan_settings_are_changed_on_its_page_and_named_when_wrong(
    quick_plan: DeliveryPlan, client_for: Any
) -> None:
    client = client_for("huyao")
    url = f"/delivery/plans/{quick_plan.pk}/"
    fields = {"last_mile_ends_at": "16:30", "longest_day_hours": "7.5", "search_seconds": 5, "settings": 1}
    assert client.post(url, fields).status_code == 302
    quick_plan.refresh_from_db()
    assert (quick_plan.last_mile_ends_at.hour, quick_plan.last_mile_ends_at.minute) == (16, 30)
    assert float(quick_plan.longest_day_hours) == 7.5 and not quick_plan.own_vehicles_first
    page = client.post(url, {**fields, "longest_day_hours": "30"}, follow=True).content.decode()
    assert "最长工作时间" in page and float(DeliveryPlan.objects.get(pk=quick_plan.pk).longest_day_hours) == 7.5


def test_the_bureau_keeps_its_own_vehicles_and_drivers(bureau: Organisation, client_for: Any) -> None:
    client = client_for("huanghuiyun")
    depot = Site.objects.get(name="峡江县局配送中转站")
    page = client.post(
        f"/delivery/fleet/?bureau={bureau.pk}",
        {
            "save_vehicle": "1",
            "kind": "lorry",
            "plate": "赣D·Y0009",
            "capacity_cartons": "3000",
            "home": depot.pk,
            "is_active": "on",
        },
    )
    assert page.status_code == 302
    assert bureau_vehicle(bureau, "赣D·Y0009").capacity_cartons == 3000
    bad = client.post(
        f"/delivery/fleet/?bureau={bureau.pk}",
        {"save_driver": "1", "name": "周师傅", "mobile": "12345", "licence": "B2", "is_active": "on"},
    )
    assert bad.status_code == 200 and "周师傅" not in {d.name for d in driver_list(bureau)}
    assert "mobile" in bad.context["driver_form"].errors
    listing = client.get(f"/delivery/fleet/?bureau={bureau.pk}").content.decode()
    assert "139****2001" in listing and "13907962001" not in listing  # drivers' mobiles masked in the list
    assert client_for("laoyan").get("/delivery/fleet/").status_code == 403


def test_a_planner_edits_a_shops_hours(bureau: Organisation, client_for: Any) -> None:
    shop = bureau.shops.get(owner="宋小娟")
    form = {
        "name": shop.name,
        "owner": shop.owner,
        "mobile": "13923000007",
        "address": shop.address,
        "latitude": str(shop.latitude),
        "longitude": str(shop.longitude),
        "network_point": shop.network_point_id,
        "opens_at": "09:30",
        "closes_at": "08:00",
        "service_minutes": "5",
        "is_active": "on",
    }
    client = client_for("huyao")
    refused = client.post(f"/delivery/shops/{shop.pk}/", form)
    assert refused.status_code == 200  # closes before it opens: the database's rule, shown on the form
    client.post(f"/delivery/shops/{shop.pk}/", {**form, "closes_at": "18:00"})
    shop.refresh_from_db()
    assert (f"{shop.opens_at:%H:%M}", f"{shop.closes_at:%H:%M}") == ("09:30", "18:00")


def test_a_plans_day_in_figures_on_the_page_and_in_the_api(quick_plan: DeliveryPlan, client_for: Any) -> None:
    client = client_for("huyao")
    figures = client.get(f"/api/delivery/plans/{quick_plan.pk}").json()
    routes = list(quick_plan.routes.order_by("number"))
    assert [r["route"] for r in figures["routes"]] == [r.number for r in routes]
    last = max(r.ends_at for r in routes)
    assert figures["last_return"] == f"{last // 3600:02d}:{last % 3600 // 60:02d}"
    assert figures["latest_return"] == "17:00" and figures["longest_day_hours"] == 8.0
    assert sum(r["stops"] for r in figures["routes"]) == quick_plan.orders.values("shop").distinct().count()
    page = client.get(f"/delivery/plans/{quick_plan.pk}/").content.decode()
    assert f'<strong id="last-return">{figures["last_return"]}</strong>' in page
    assert client_for("laoyan").get(f"/api/delivery/plans/{quick_plan.pk}").status_code == 404


def test_before_its_day_a_published_plan_is_withdrawn_not_closed_and_staff_see_it_coming(
    published: DeliveryPlan, client_for: Any
) -> None:
    manager, staff = client_for("huanghuiyun"), client_for("huyao")
    page = manager.get(f"/delivery/plans/{published.pk}/").content.decode()
    assert "当日收尾" in page and "撤回计划" not in page  # on its day
    tomorrow = timezone.localdate() + timedelta(days=1)
    DeliveryPlan.objects.filter(pk=published.pk).update(day=tomorrow)
    page = manager.get(f"/delivery/plans/{published.pk}/").content.decode()
    assert "撤回计划" in page and "当日收尾" not in page and f"{tomorrow:%m-%d} 进度" in page
    # The network point's staff see tomorrow's routes coming on their home page.
    assert f"下一个：{tomorrow:%m-%d}，已发布" in staff.get("/").content.decode()


def test_the_driver_counts_shops_not_reloads_and_sees_what_to_load(published: DeliveryPlan) -> None:
    route = next(r for r in published.routes.all() if r.stops.filter(is_reload=True).exists())
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/delivery/r/{dispatch.route_token(route)}/").content.decode()
    numbers = [int(n) for n in re.findall(r'<span class="stop-no">(\d+)</span>', page)]
    assert sorted(numbers) == list(range(1, route.stops.filter(is_reload=False).count() + 1))
    reload = route.stops.filter(is_reload=True).order_by("position").first()
    after = route.stops.filter(is_reload=False, position__gt=reload.position).order_by("position").first()
    assert f"装 {after.load_on_arrival} 条" in page
