"""Paper for the network point: a route sheet per driver, the loading list per vehicle and
trip, both as PDF (WeasyPrint, Noto CJK), and the whole plan as Excel.

Laying out Baqiu's fifteen pages of route sheets takes WeasyPrint seconds; the HTML behind them
takes milliseconds. So a PDF is kept as made (`PlanDocument`, in the database, beside the plan:
it holds the shops' and drivers' numbers in full, which media files served by the web server
should not) together with the digest of its HTML, and `printed` serves the kept one while the
plan still gives the same HTML. Whatever changes the paper (a hand edit, a re-plan, a stop held
because its area closed, a shop's new address, another language) changes the HTML, so a kept
PDF is never stale, whichever service made the change. Publishing makes both in the background
(`tasks.print_plan_documents`), so the first print of the day is quick too.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint import HTML

from fugong.core.masking import mask_mobile
from fugong.core.spreadsheets import Column, write_workbook
from fugong.core.validators import national_mobile
from fugong.routing.findings import clock

from . import queries
from .models import SENT_OUT_PLAN_STATUSES, DeliveryPlan, PlanDocument, Route


def _stops(route: Route) -> list[dict[str, Any]]:
    """The route's stops (prefetched by `queries.routes_with_stops`) with their order lines and the shop's number."""
    rows = []
    for stop in route.stops.all():
        lines = [line for order in stop.orders.all() for line in order.lines.all()]
        rows.append({"stop": stop, "lines": lines, "mobile": national_mobile(stop.shop.mobile) if stop.shop else ""})
    return rows


def route_sheets_html(plan: DeliveryPlan) -> str:
    routes = [{"route": r, "stops": _stops(r)} for r in queries.routes_with_stops(plan)]
    held = queries.held_stop_ids(plan) if plan.status in SENT_OUT_PLAN_STATUSES else set()
    return render_to_string("delivery/print/route_sheets.html", {"plan": plan, "routes": routes, "held": held})


def pdf_from_html(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def route_sheets_pdf(plan: DeliveryPlan) -> bytes:
    return pdf_from_html(route_sheets_html(plan))


def loading_lists(plan: DeliveryPlan) -> list[dict[str, Any]]:
    """Per route and trip: cartons of each brand to load, so the hub loads by brand, not by shop."""
    lists = []
    for route in queries.routes_with_stops(plan):
        trips: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in _stops(route):
            stop = row["stop"]
            if stop.is_reload:
                continue
            if not row["lines"]:  # a trunk stop: cartons for a network point
                trips[stop.trip][stop.site.name] += stop.cartons
            elif stop.is_part_of_an_order:  # part of a big order: load its cartons for that shop
                trips[stop.trip][_("Part of the order for %(shop)s") % {"shop": stop.shop.name}] += stop.cartons
            else:
                for line in row["lines"]:
                    trips[stop.trip][line.brand] += line.quantity
        lists.append(
            {
                "route": route,
                "trips": [
                    {"trip": trip + 1, "brands": sorted(brands.items()), "total": sum(brands.values())}
                    for trip, brands in sorted(trips.items())
                ],
            }
        )
    return lists


def loading_lists_html(plan: DeliveryPlan) -> str:
    return render_to_string("delivery/print/loading_lists.html", {"plan": plan, "lists": loading_lists(plan)})


def loading_lists_pdf(plan: DeliveryPlan) -> bytes:
    return pdf_from_html(loading_lists_html(plan))


# The PDFs kept as made, by kind (the kinds of the print URL).
PRINTED: dict[str, Callable[[DeliveryPlan], str]] = {"sheets": route_sheets_html, "loading": loading_lists_html}


@dataclass(frozen=True)
class Printed:
    kind: str
    digest: str  # SHA-256 of the HTML the PDF was made from
    pdf: bytes
    kept: bool  # served as kept; otherwise just made, to be kept (`services.printing.keep_document`)


def printed(plan: DeliveryPlan, kind: str) -> Printed:
    """The plan's PDF of this kind: the kept one when the plan still gives the HTML it was made
    from, else made now."""
    html = PRINTED[kind](plan)
    digest = hashlib.sha256(html.encode()).hexdigest()
    kept = PlanDocument.objects.filter(plan=plan, kind=kind, digest=digest).values_list("content", flat=True).first()
    if kept is not None:
        return Printed(kind, digest, bytes(kept), kept=True)
    return Printed(kind, digest, pdf_from_html(html), kept=False)


PLAN_COLUMNS = (
    Column("route", gettext_lazy("Route")),
    Column("vehicle", gettext_lazy("Vehicle")),
    Column("driver", gettext_lazy("Driver")),
    Column("position", gettext_lazy("Stop")),
    Column("trip", gettext_lazy("Trip")),
    Column("arrives", gettext_lazy("Arrives")),
    Column("where", gettext_lazy("Shop or site")),
    Column("licence_number", gettext_lazy("Licence number")),
    Column("address", gettext_lazy("Address")),
    Column("mobile", gettext_lazy("Mobile")),
    Column("cartons", gettext_lazy("Cartons")),
    Column("outcome", gettext_lazy("Outcome")),
)


def plan_workbook(plan: DeliveryPlan) -> bytes:
    def rows() -> Any:
        for route in queries.routes_with_stops(plan):
            for row in _stops(route):
                stop = row["stop"]
                shop = stop.shop
                yield {
                    "route": route.number,
                    "vehicle": route.vehicle.label,
                    "driver": route.vehicle.driver_name,
                    "position": stop.position,
                    "trip": stop.trip + 1,
                    "arrives": clock(stop.arrives_at),
                    "where": _("Reload") if stop.is_reload else (shop.name if shop else stop.site.name),
                    "licence_number": shop.licence_number if shop else "",
                    "address": shop.address if shop else "",
                    # The office's overview of the day: masked. The route sheet a driver carries has the
                    # number in full, to ring the shop on arrival.
                    "mobile": mask_mobile(row["mobile"]),
                    "cartons": stop.cartons,
                    "outcome": stop.get_outcome_display(),
                }

    return write_workbook(_("Plan %(day)s") % {"day": plan.day.isoformat()}, PLAN_COLUMNS, rows())
