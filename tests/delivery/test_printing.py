"""The route sheets and loading lists are kept as made (delivery.documents): printing again is
quick, and the paper never shows a plan as it was before a change."""

from datetime import time, timedelta
from typing import Any

import pytest

from fugong.core import erasure
from fugong.core.clock import local_time
from fugong.delivery import documents
from fugong.delivery.models import DeliveryPlan, Echelon, PlanDocument, RouteStop
from fugong.delivery.services import dispatch, planning
from fugong.directory import services as directory
from fugong.directory.models import Region

HELD = "暂缓：该店所在区域已封控"


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """WeasyPrint replaced by a printer that puts the HTML it is given into the "PDF" (the real
    one is tested in test_pages): a test reads what the paper shows, and counts the layouts."""
    made: list[str] = []

    def print_html(html: str) -> bytes:
        made.append(html)
        return b"%PDF-test\n" + html.encode()

    monkeypatch.setattr(documents, "pdf_from_html", print_html)
    return made


def sheets_of(plan: DeliveryPlan, client: Any) -> str:
    response = client.get(f"/delivery/plans/{plan.pk}/print/sheets/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return response.content.decode()


def route_of(sheets: str, licence_number: str) -> str:
    """The heading of the route sheet that lists the shop."""
    (section,) = [s for s in sheets.split('<section class="route">')[1:] if f"（{licence_number}）" in s]
    return section.split("</h1>")[0]


def test_publishing_keeps_the_paper_and_printing_serves_it_without_laying_it_out(
    quick_plan: DeliveryPlan,
    client_for: Any,
    printer: list[str],
    run_tasks: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.publish_plan(None, quick_plan)
    run_tasks()  # the worker makes the route sheets and loading lists once
    assert set(quick_plan.documents.values_list("kind", flat=True)) == {"sheets", "loading"}
    assert len(printer) == 2

    client = client_for("wuziqiang")
    kept = bytes(PlanDocument.objects.get(plan=quick_plan, kind="sheets").content)
    assert client.get(f"/delivery/plans/{quick_plan.pk}/print/sheets/").content == kept
    assert client.get(f"/delivery/plans/{quick_plan.pk}/print/loading/").status_code == 200
    assert len(printer) == 2  # served as kept, twice over

    dispatch.close_plan(None, quick_plan)
    assert not quick_plan.documents.exists()  # the day is over: the paper goes with it


def test_a_hand_edit_prints_the_stop_on_its_new_route(
    quick_plan: DeliveryPlan, client_for: Any, printer: list[str]
) -> None:
    client = client_for("wuziqiang")
    routes = list(quick_plan.routes.filter(echelon=Echelon.LAST_MILE).order_by("number"))
    source, target = routes[0], routes[1]
    stop = source.stops.filter(is_reload=False, shop__isnull=False).order_by("position").first()
    assert stop is not None and stop.shop is not None
    licence = stop.shop.licence_number
    assert f"#{source.number} " in route_of(sheets_of(quick_plan, client), licence)
    assert f"#{source.number} " in route_of(sheets_of(quick_plan, client), licence)
    assert len(printer) == 1  # printed twice, laid out once

    planning.move_stop(None, stop, target.vehicle, 1)  # the dispatcher moves the shop by hand
    assert f"#{target.number} " in route_of(sheets_of(quick_plan, client), licence)
    assert len(printer) == 2
    assert PlanDocument.objects.filter(plan=quick_plan, kind="sheets").count() == 1  # the new paper replaced the old


def test_stops_held_after_publishing_are_marked_held_on_the_paper_until_the_area_reopens(
    published: DeliveryPlan,
    client_for: Any,
    printer: list[str],
    run_tasks: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for("wuziqiang")
    assert HELD not in sheets_of(published, client)
    baqiu = Region.objects.get(code="360823100")
    in_baqiu = RouteStop.objects.filter(route__plan=published, shop__region__code__startswith=baqiu.code).count()
    assert in_baqiu > 0

    directory.set_zone_status(None, baqiu, "closed")  # no worker ran: the print lays it out itself
    assert sheets_of(published, client).count(HELD) == in_baqiu

    directory.set_zone_status(None, baqiu, "open")
    assert HELD not in sheets_of(published, client)
    assert len(printer) == 3  # the open town's paper once more: laid out again, not served stale

    with django_capture_on_commit_callbacks(execute=True):
        directory.set_zone_status(None, baqiu, "closed")
    run_tasks()  # the worker makes the plan's paper again after the change
    made = len(printer)
    assert sheets_of(published, client).count(HELD) == in_baqiu
    assert len(printer) == made  # and the print serves it


def test_the_kept_paper_goes_with_the_drivers_mobiles_it_prints(
    published: DeliveryPlan, client_for: Any, printer: list[str], settings: Any
) -> None:
    sheets_of(published, client_for("wuziqiang"))
    assert published.documents.exists()
    first_erased = published.day + timedelta(days=settings.RETENTION_DAYS["handover_photos"] + 1)
    assert erasure.erase(erasure.get("delivery.driver_mobiles"), local_time(first_erased, time(0, 1)))
    assert not published.documents.exists()
