"""Home-page cards of deliveries, for those who run a bureau's (delivery.access):

- network-point staff: today's routes from their network point and the stops done, the orders
  waiting there and those held;
- the bureau's administrators: the backlog by town, the plans of today and the coming days,
  the vehicles the mutual-aid teams lend that no plan has taken yet;
- coordinators and platform admins: the backlog and what is held in closed areas.
"""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import Scope, scope_of
from fugong.core.dashboard import Card, Line
from fugong.directory.models import Organisation, Site

from . import queries
from .models import SENT_OUT_PLAN_STATUSES, PlanStatus

BUREAUS = 5  # cards for at most this many bureaus (a platform admin sees them all)
TOWNS = 5  # towns named on the backlog card
PLANS = 3  # coming plans named on the plans card


def delivery_cards(user: Any) -> list[Card]:
    scope = scope_of(user)
    bureaus = list(queries.planned_organisations(user)[:BUREAUS])
    cards: list[Card] = []
    for bureau in bureaus:
        cards.extend(_bureau_cards(user, scope, bureau, named=len(bureaus) > 1))
    return cards


def _bureau_cards(user: Any, scope: Scope, bureau: Organisation, *, named: bool) -> list[Card]:
    backlog = f"{reverse('delivery:backlog')}?bureau={bureau.pk}"
    rows = queries.backlog_by_town(bureau)
    administers = scope.is_platform_admin or bureau.pk in scope.admin_org_ids
    points: dict[int, str] = {}
    if bureau.pk in scope.staff_org_ids and not administers:  # their own network point's
        points = dict(
            Site.objects.filter(
                pk__in=sorted(scope.staff_site_ids), organisation=bureau, kind=Site.Kind.NETWORK_POINT
            ).values_list("pk", "name")
        )
    if points:
        rows = [row for row in rows if row["shop__network_point_id"] in points]
        where = ", ".join(sorted(points.values()))
    else:
        where = bureau.short_name if named else ""
    totals = queries.backlog_totals(rows)

    def titled(title: str) -> str:
        return f"{title} · {where}" if where else title

    cards = []
    if bureau.pk in scope.staff_org_ids:
        cards.append(_routes_today(user, bureau, points, titled(_("Today's routes"))))
    towns = (
        ()
        if points
        else tuple(
            Line(town["name"], _("%(n)d orders") % {"n": town["orders"]}, tone="alert" if town["held_orders"] else "")
            for town in queries.backlog_by_region(rows)[:TOWNS]
        )
    )
    cards.append(
        Card(
            titled(_("Backlog")),
            str(totals["orders"]),
            _("orders waiting: %(cartons)d cartons for %(shops)d shops")
            % {"cartons": totals["cartons"], "shops": totals["shops"]},
            backlog,
            lines=towns,
        )
    )
    cards.append(
        Card(
            titled(_("Held in closed areas")),
            str(totals["held_orders"]),
            _("orders held until their area opens: %(cartons)d cartons") % {"cartons": totals["held_cartons"]},
            backlog,
            "alert" if totals["held_orders"] else "",
        )
    )
    if administers and not scope.is_platform_admin:
        cards.append(_plans(bureau, titled(_("Plans")), waiting=totals["orders"] - totals["held_orders"]))
        cards.append(_offers(bureau, titled(_("Vehicles offered"))))
    return cards


def _routes_today(user: Any, bureau: Organisation, points: dict[int, str], title: str) -> Card:
    """Today's published routes from the user's network points (all, without one), each with
    its stops done of all; or where today's plan stands."""
    today = timezone.localdate()
    plans = queries.visible_plans(user).filter(organisation=bureau, day__gte=today).exclude(status=PlanStatus.CANCELLED)
    if points:
        plans = plans.filter(network_points__in=list(points)).distinct()
    plan = plans.filter(day=today).first()
    if plan is None:
        coming = plans.order_by("day", "pk").first()  # tomorrow's routes, as soon as they are out
        if coming is not None:
            note = _("No plan for today; next: %(day)s, %(status)s.") % {
                "day": f"{coming.day:%m-%d}",
                "status": coming.get_status_display(),
            }
            return Card(title, "0", note, reverse("delivery:plan", args=[coming.pk]))
        url = f"{reverse('delivery:plans')}?bureau={bureau.pk}"
        return Card(title, "0", _("No delivery plan for today yet."), url)
    url = reverse("delivery:plan", args=[plan.pk])
    if plan.status not in SENT_OUT_PLAN_STATUSES:
        return Card(title, plan.get_status_display(), _("Today's plan is not published yet."), url, "warn")
    progress = queries.route_progress(plan, hubs=list(points) or None)
    done, stops = sum(row["done"] for row in progress), sum(row["stops"] for row in progress)
    lines = tuple(
        Line(
            f"#{row['route'].number} {row['route'].vehicle.label}",
            f"{row['done']}/{row['stops']}",
            tone="warn" if row["short"] or row["refused"] else "",
        )
        for row in progress
    )
    note = _("stops done of all, on %(n)d routes") % {"n": len(progress)}
    return Card(title, f"{done}/{stops}", note, url, lines=lines)


def _plans(bureau: Organisation, title: str, *, waiting: int) -> Card:
    """Today's plan and those of the coming days, and how many are not published yet."""
    today = timezone.localdate()
    coming = list(queries.plans_from(bureau, today)[: PLANS + 1])
    todays = next((plan for plan in coming if plan.day == today), None)
    unpublished = sum(1 for plan in coming if plan.status not in SENT_OUT_PLAN_STATUSES)
    # A published plan with stops in an area closed since: its manager hears of it here.
    held = {plan.pk: len(queries.held_stop_ids(plan)) for plan in coming[:PLANS] if plan.status == PlanStatus.PUBLISHED}
    lines = tuple(
        Line(
            f"{plan.day:%m-%d}",
            _("%(status)s, %(n)d stops held") % {"status": plan.get_status_display(), "n": held[plan.pk]}
            if held.get(plan.pk)
            else plan.get_status_display(),
            reverse("delivery:plan", args=[plan.pk]),
            tone="alert" if held.get(plan.pk) else "",
        )
        for plan in coming[:PLANS]
    )
    if todays is None:
        note = _("No plan for today; %(n)d coming plans not published yet.") % {"n": unpublished}
    else:
        note = _("Today's plan: %(status)s; %(n)d coming plans not published yet.") % {
            "status": todays.get_status_display(),
            "n": unpublished,
        }
    published_today = todays is not None and todays.status in SENT_OUT_PLAN_STATUSES
    tone = "alert" if any(held.values()) else "warn" if waiting and not published_today else ""
    url = f"{reverse('delivery:plans')}?bureau={bureau.pk}"
    return Card(title, str(len(coming)) if len(coming) <= PLANS else f"{PLANS}+", note, url, tone, lines)


def _offers(bureau: Organisation, title: str) -> Card:
    """Vehicles lent for today and tomorrow that no plan has taken yet."""
    today = timezone.localdate()
    fleet = reverse("volunteers:fleet")
    lines, offers = [], set()
    for day, label in ((today, _("Today")), (today + timedelta(days=1), _("Tomorrow"))):
        waiting = {vehicle.offer_id for vehicle in queries.offers_awaiting(bureau, day)}
        offers |= waiting
        lines.append(Line(label, _("%(n)d vehicles") % {"n": len(waiting)}, f"{fleet}?day={day.isoformat()}"))
    note = _("lent by the mutual-aid teams for today and tomorrow, not yet in a plan")
    return Card(title, str(len(offers)), note, fleet, lines=tuple(lines))
