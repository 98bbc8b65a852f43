"""Paper for the network point: a route sheet per driver, the loading list per vehicle and
trip, both as PDF (WeasyPrint, Noto CJK), and the whole plan as Excel."""

from collections import defaultdict
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
from .models import DeliveryPlan, Route


def _stops(route: Route) -> list[dict[str, Any]]:
    """The route's stops (prefetched by `queries.routes_with_stops`) with their order lines and the shop's number."""
    rows = []
    for stop in route.stops.all():
        lines = [line for order in stop.orders.all() for line in order.lines.all()]
        rows.append({"stop": stop, "lines": lines, "mobile": national_mobile(stop.shop.mobile) if stop.shop else ""})
    return rows


def route_sheets_pdf(plan: DeliveryPlan) -> bytes:
    routes = [{"route": r, "stops": _stops(r)} for r in queries.routes_with_stops(plan)]
    html = render_to_string("delivery/print/route_sheets.html", {"plan": plan, "routes": routes})
    return HTML(string=html).write_pdf()


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


def loading_lists_pdf(plan: DeliveryPlan) -> bytes:
    html = render_to_string("delivery/print/loading_lists.html", {"plan": plan, "lists": loading_lists(plan)})
    return HTML(string=html).write_pdf()


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
