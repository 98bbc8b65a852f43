"""Plans: create, choose the fleet, plan in the background, look at routes on the map and as
lists, move stops and lock routes, re-optimise, publish, and follow the day."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, posted_pk
from fugong.directory.models import Site

from .. import queries
from ..access import may_plan
from ..forms import PlanForm, PlanSettingsForm
from ..models import SENT_OUT_PLAN_STATUSES, DeliveryPlan, PlanStatus, PlanVehicle, Route, RouteStop
from ..services import dispatch, fleet, planning
from .office import bureau_of
from .routes_map import map_data


@login_required
def plans(request: AuthedRequest) -> HttpResponse:
    bureau, bureaus = bureau_of(request)
    sites = Site.objects.filter(organisation=bureau, is_active=True)
    form = PlanForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            plan = planning.create_plan(request.user, bureau, network_points=list(data.pop("network_points")), **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            added = fleet.take_suggested_fleet(request.user, plan)
            messages.success(
                request,
                _("Plan created with %(n)d vehicles available that day. Check the fleet, then plan.") % {"n": added},
            )
            return redirect("delivery:plan", plan_id=plan.pk)
    listing = queries.visible_plans(request.user).filter(organisation=bureau)[:30]
    return render(
        request, "delivery/plans.html", {"bureau": bureau, "bureaus": bureaus, "form": form, "plans": listing}
    )


def _plan(request: AuthedRequest, plan_id: int) -> DeliveryPlan:
    return get_object_or_404(queries.visible_plans(request.user), pk=plan_id)


@login_required
def plan_detail(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if request.method == "POST":
        require(may_plan(request.user, plan.organisation))
        try:
            _act(request, plan)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return redirect("delivery:plan", plan_id=plan.pk)
    routes = queries.routes_with_stops(plan)
    may_edit = plan.is_editable and may_plan(request.user, plan.organisation)
    context: dict[str, Any] = {
        "plan": plan,
        "route_rows": queries.route_rows(routes),
        "idle": plan.fleet.exclude(pk__in=[r.vehicle_id for r in routes]).order_by("echelon", "pk") if routes else [],
        "day": queries.day_figures(routes),
        "settings_form": PlanSettingsForm(instance=plan) if may_edit else None,
        "move_to": queries.vehicles_to_move_to(plan) if may_edit and routes else [],
        "fleet": plan.fleet.select_related("hub").order_by("echelon", "hub", "pk"),
        "routes": routes,
        "progress": queries.route_progress(plan) if plan.status in SENT_OUT_PLAN_STATUSES else [],
        "held": len(queries.held_stop_ids(plan)) if plan.status == PlanStatus.PUBLISHED else 0,
        "map": map_data(plan, routes),
        "summary": planning.summary(plan) if routes else None,
        "may_edit": may_edit,
        "may_run": may_plan(request.user, plan.organisation),
        "stuck": planning.is_stuck(plan),
        "early": plan.day > timezone.localdate(),  # a day is closed on it or after, never before
        "suggestions": len(fleet.suggest_fleet(plan)) if plan.is_editable else 0,
    }
    return render(request, "delivery/plan.html", context)


def _act(request: AuthedRequest, plan: DeliveryPlan) -> None:
    post = request.POST
    if "take_fleet" in post:
        added = fleet.take_suggested_fleet(request.user, plan)
        messages.success(request, _("%(n)d vehicles added.") % {"n": added})
    elif "remove_vehicle" in post:
        fleet.remove_vehicle(
            request.user, get_object_or_404(PlanVehicle, plan=plan, pk=posted_pk(request.POST, "remove_vehicle"))
        )
    elif "solve" in post or "reoptimise" in post:
        planning.queue_planning(request.user, plan, keep_locked="reoptimise" in post)
    elif "settings" in post:
        form = PlanSettingsForm(post, instance=DeliveryPlan.objects.get(pk=plan.pk))
        if not form.is_valid():
            named = {f: form.fields[f].label if f in form.fields else "" for f in form.errors}
            raise ValidationError([f"{named[f]}: {e}" for f, errors in form.errors.items() for e in errors])
        planning.change_settings(request.user, plan, **{f: form.cleaned_data[f] for f in planning.SETTINGS})
        messages.success(request, _("Settings saved: plan again to apply them."))
    elif "move" in post:
        stop = get_object_or_404(RouteStop, route__plan=plan, pk=posted_pk(request.POST, "move"))
        vehicle = get_object_or_404(PlanVehicle, plan=plan, pk=posted_pk(request.POST, "to_vehicle"))
        route = planning.move_stop(request.user, stop, vehicle, posted_pk(request.POST, "position"))
        messages.success(request, _("Moved to route #%(number)d.") % {"number": route.number})
    elif "lock" in post or "unlock" in post:
        route = get_object_or_404(Route, plan=plan, pk=posted_pk(request.POST, "lock" if "lock" in post else "unlock"))
        planning.set_locked(request.user, route, "lock" in post)
    elif "publish" in post:
        sent = dispatch.publish_plan(request.user, plan)
        messages.success(
            request,
            _("Published: %(orders)d orders planned, %(shops)d shops and %(drivers)d drivers messaged.") % sent,
        )
    elif "cancel" in post:
        planning.cancel_plan(request.user, plan)
    elif "close" in post:
        closed = dispatch.close_plan(request.user, plan)
        messages.success(
            request, _("Day closed: %(returned)d orders not handed over are back in the backlog.") % closed
        )
    elif "renew_link" in post:
        dispatch.renew_route_link(
            request.user, get_object_or_404(Route, plan=plan, pk=posted_pk(request.POST, "renew_link"))
        )
        messages.success(request, _("The old link no longer works."))


@login_required
def plan_live(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The office's view of a published plan's progress; the page polls it."""
    plan = _plan(request, plan_id)
    return render(request, "delivery/_progress.html", {"plan": plan, "progress": queries.route_progress(plan)})


@login_required
def route_link(request: AuthedRequest, plan_id: int, route_id: int) -> HttpResponse:
    """A route's driver link as a QR code to scan off the screen at the network point."""
    plan = _plan(request, plan_id)
    require(may_plan(request.user, plan.organisation))
    route = get_object_or_404(Route, plan=plan, pk=route_id)
    if plan.status != PlanStatus.PUBLISHED:
        raise Http404
    return render(
        request, "delivery/route_link.html", {"plan": plan, "route": route, "link": dispatch.route_link(route)}
    )
