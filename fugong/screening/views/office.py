"""The offices' side: screened sites, their venue code and poster, policies, and the figures."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fugong.accounts.permissions import require, scope_of
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, posted_pk
from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE
from fugong.directory.models import Region

from .. import queries, rules, tracing
from ..access import may_manage_site, may_set_region_policy
from ..forms import PolicyForm, VenueForm
from ..models import AdmissionPolicy, Decision, Venue
from ..services import checkins, logs, policies, venues


def venue_of(request: AuthedRequest, venue_id: int) -> Venue:
    return get_object_or_404(queries.visible_venues(request.user), pk=venue_id)


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """Every screened site in reach: today's counts, the policy in force, what is overdue."""
    venue_list = list(queries.visible_venues(request.user).filter(is_active=True))
    counts = queries.counts_today(venue_list)
    fevers = logs.fevers_by_venue(venue_list)
    rows = []
    for venue in venue_list:
        rows.append(
            {
                "venue": venue,
                "policy": policies.in_force(venue.site),
                "counts": counts.get(venue.pk, dict.fromkeys(Decision.values, 0)),
                "overdue": logs.overdue(venue),
                "fevers": fevers.get(venue.pk, 0),
            }
        )
    closed = queries.visible_venues(request.user).filter(is_active=False)
    to_open = queries.sites_to_open(request.user)
    regions = queries.policy_regions(request.user)
    require(queries.has_screening_pages(request.user))
    context = {
        "rows": rows,
        "to_open": to_open,
        "closed": closed,
        "regions": regions,
        "may_trace": queries.traceable_venues(request.user).exists(),
    }
    return render(request, "screening/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def trace(request: AuthedRequest) -> HttpResponse:
    """Contact tracing across every site in reach: one person's visits by full number, sent in
    the form (never in a URL), shown and exported with only that person in full."""
    require(queries.traceable_venues(request.user).exists())
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    found = None
    if query:
        wanted, exported = checkins.person_key(query), bool(request.POST.get("export"))
        found = tracing.rows(checkins.trace_person(request.user, wanted, exported=exported), wanted)
        if exported:
            response = HttpResponse(tracing.workbook(found), content_type=EXPORT_CONTENT_TYPE)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="contact-tracing-{stamp}.xlsx"'
            return response
    context = {
        "query": query,
        "found": found,
        "sites": len({row["site"] for row in found or []}),
        "limit": checkins.TRACE_LIMIT,
    }
    return render(request, "screening/trace.html", context)


@login_required
@require_POST
def open_site(request: AuthedRequest) -> HttpResponse:
    site = get_object_or_404(queries.sites_to_open(request.user), pk=posted_pk(request.POST, "site"))
    venue = venues.open_venue(request.user, site)
    messages.success(
        request, _("%(site)s now checks visitors. Set its admission policy and print its poster.") % {"site": site}
    )
    return redirect("screening:policies", venue.pk)


@login_required
def venue_detail(request: AuthedRequest, venue_id: int) -> HttpResponse:
    venue = venue_of(request, venue_id)
    manager = may_manage_site(request.user, venue.site)
    form = VenueForm(
        request.POST or None,
        initial={
            "staff_check_times": ", ".join(venue.staff_check_times),
            "disinfection_times": ", ".join(venue.disinfection_times),
            "grace_minutes": venue.grace_minutes,
            "checkins_per_minute": venue.checkins_per_minute,
        },
    )
    if request.method == "POST":
        require(manager)
        if form.is_valid():
            try:
                venues.open_venue(
                    request.user,
                    venue.site,
                    staff_check_times=venues.parse_times(form.cleaned_data["staff_check_times"], "staff_check_times"),
                    disinfection_times=venues.parse_times(
                        form.cleaned_data["disinfection_times"], "disinfection_times"
                    ),
                    grace_minutes=form.cleaned_data["grace_minutes"],
                    checkins_per_minute=form.cleaned_data["checkins_per_minute"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("screening:venue", venue.pk)
    policy = policies.in_force(venue.site)
    series = queries.daily_series(venue)
    chart = {
        "days": [row["day"].strftime("%m-%d") for row in series],
        "series": [{"name": str(d.label), "key": d.value, "data": [row[d.value] for row in series]} for d in Decision],
    }
    context: dict[str, Any] = {
        "venue": venue,
        "policy": policy,
        "rules": [rules.describe(c) for c in policy.checks.all()] if policy else [],
        "overdue": logs.overdue(venue),
        "fevers": logs.open_fevers([venue]),
        "counts": series[-1],  # today, from the same live count as the chart
        "chart": json.dumps(chart, ensure_ascii=False),
        "series": series,
        "manager": manager,
        "form": form,
        "link": venues.venue_link(venue),
    }
    return render(request, "screening/venue.html", context)


@login_required
@require_POST
def rotate(request: AuthedRequest, venue_id: int) -> HttpResponse:
    venue = venue_of(request, venue_id)
    venues.rotate_code(request.user, venue)
    messages.success(request, _("A new venue code is in use. Print the new poster: the old one no longer works."))
    return redirect("screening:venue", venue.pk)


@login_required
@require_POST
def close(request: AuthedRequest, venue_id: int) -> HttpResponse:
    venue = venue_of(request, venue_id)
    venues.close_venue(request.user, venue)
    messages.success(request, _("%(site)s no longer checks visitors.") % {"site": venue})
    return redirect("screening:index")


@login_required
def poster(request: AuthedRequest, venue_id: int) -> HttpResponse:
    venue = venue_of(request, venue_id)
    response = HttpResponse(venues.poster_pdf(venue), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="venue-code-{venue.pk}.pdf"'
    return response


def _policy_page(request: AuthedRequest, *, venue: Venue | None, region: Region | None) -> HttpResponse:
    if venue is not None:
        allowed = may_manage_site(request.user, venue.site)
        versions = list(policies.versions_for(venue.site))
        current = policies.in_force(venue.site)
    else:
        assert region is not None
        allowed = may_set_region_policy(request.user, region)
        require(allowed)
        versions = list(
            AdmissionPolicy.objects.filter(region=region).prefetch_related("checks").select_related("region")
        )
        current = next((p for p in versions if p.effective_from <= timezone.now()), None)
    start_from = policies.copy_specs(current) if current else policies.MEASURE_REGISTER_SERVE
    form = PolicyForm(request.POST or None, current=start_from, initial={"name": current.name if current else ""})
    if request.method == "POST":
        require(allowed)
        if form.is_valid():
            try:
                policies.create_policy(
                    request.user,
                    name=form.cleaned_data["name"],
                    checks=form.specs(),
                    site=venue.site if venue else None,
                    region=region,
                    effective_from=form.cleaned_data["effective_from"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The new version is saved."))
                return redirect(request.path)
    rows = [
        {
            "policy": p,
            "rules": [rules.describe(c) for c in p.checks.all()],
            "in_force": current is not None and p.pk == current.pk,
            "coming": p.effective_from > timezone.now(),
        }
        for p in versions
    ]
    context = {"venue": venue, "region": region, "rows": rows, "form": form, "allowed": allowed}
    return render(request, "screening/policies.html", context)


@login_required
def venue_policies(request: AuthedRequest, venue_id: int) -> HttpResponse:
    return _policy_page(request, venue=venue_of(request, venue_id), region=None)


@login_required
def region_policies(request: AuthedRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    require(scope_of(request.user).covers_region(region.code))
    return _policy_page(request, venue=None, region=region)


@login_required
@require_POST
def withdraw(request: AuthedRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(queries.visible_policies(request.user).select_related("site", "region"), pk=policy_id)
    try:
        policies.withdraw_policy(request.user, policy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The coming version is withdrawn."))
    if policy.site is not None and hasattr(policy.site, "venue"):
        return redirect("screening:policies", policy.site.venue.pk)
    if policy.region is not None:
        return redirect("screening:region_policies", policy.region.code)
    return redirect("screening:index")
