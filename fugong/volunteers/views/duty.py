"""Duty rosters for coordinators; for members, signing in and out and offering what they lend."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, posted_pk
from fugong.directory.models import Site

from .. import queries
from ..access import may_run_team
from ..forms import MyOfferForm, RosterForm
from ..models import Member, Shift, ShiftAssignment
from ..services import duty, offers, shifts
from .admission import admissions_on_duty
from .scoping import channels_for, coordinated_teams


@login_required
def roster(request: AuthedRequest) -> HttpResponse:
    """Coming shifts, the gaps to fill, and planning new ones."""
    teams = coordinated_teams(request)
    require(bool(teams))
    team_qs = queries.visible_teams(request.user).filter(pk__in=[t.pk for t in teams])
    sites = Site.objects.filter(organisation__in={t.organisation_id for t in teams}, is_active=True)
    form = RosterForm(request.POST or None, teams=team_qs, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = shifts.plan_roster(
                request.user,
                data["team"],
                data["site"],
                first_day=data["first_day"],
                days=data["days"],
                needed=data["needed"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(count)d shift(s) planned.") % {"count": len(made)})
            return redirect("volunteers:roster")
    planned = Shift.objects.filter(team__in=team_qs)
    now = timezone.now()
    upcoming = (
        planned.filter(ends_at__gte=now, starts_at__lt=now + timedelta(days=7))
        .select_related("site", "team")
        .prefetch_related("assignments__member")
        .annotate(assigned=Count("assignments"))
    )
    context = {"form": form, "gaps": shifts.coming_gaps(planned), "upcoming": upcoming}
    return render(request, "volunteers/roster.html", context)


@login_required
def shift_detail(request: AuthedRequest, shift_id: int) -> HttpResponse:
    # Only shifts of teams the user sees: another county's answers 404, as if there were none.
    shifts_seen = Shift.objects.filter(team__in=queries.visible_teams(request.user))
    shift = get_object_or_404(shifts_seen.select_related("site", "team__region"), pk=shift_id)
    require(may_run_team(request.user, shift.team))
    if request.method == "POST":
        try:
            if "assign" in request.POST:
                shifts.assign(
                    request.user, shift, get_object_or_404(shift.team.members, pk=posted_pk(request.POST, "assign"))
                )
            elif "unassign" in request.POST:
                shifts.unassign(
                    request.user, get_object_or_404(shift.assignments, pk=posted_pk(request.POST, "unassign"))
                )
            elif "send_links" in request.POST:
                channel = get_object_or_404(
                    channels_for(request, duty.MESSAGE_KIND), pk=posted_pk(request.POST, "send_links")
                )
                people = [a.member for a in shift.assignments.select_related("member__team__region")]
                count = duty.send_duty_links(request.user, people, channel)
                messages.success(request, _("%(count)d message(s) queued.") % {"count": count})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("volunteers:shift", shift_id=shift.pk)
    on_shift = shift.assignments.select_related("member")
    free = shift.team.members.filter(left_on__isnull=True).exclude(pk__in=[a.member_id for a in on_shift])
    context = {
        "shift": shift,
        "shift_over": shift.ends_at <= timezone.now(),  # who never checked out is counted to its end
        "on_shift": on_shift,
        "free": free,
        "channels": channels_for(request, duty.MESSAGE_KIND),
        "admissions": admissions_on_duty(shift.site, shift.starts_at, shift.ends_at, [a.member for a in on_shift]),
    }
    return render(request, "volunteers/shift.html", context)


@login_required
def my_duties(request: AuthedRequest) -> HttpResponse:
    """A signed-in member's own shifts (sign in and out on the phone), calls confirmed, and
    what they offer to lend."""
    members = queries.my_members(request.user)
    form = MyOfferForm(request.POST or None, members=members)
    if request.method == "POST":
        require(members.exists())
        if _offer(request, request.user, form):
            return redirect("volunteers:me")
    return _duty_page(request, members, form, token=None)


def _duty_page(
    request: HttpRequest, members: QuerySet[Member], form: MyOfferForm, *, token: str | None
) -> HttpResponse:
    context: dict[str, Any] = {
        "duties": duty.duties_of(members),
        "token": token,
        "offer_form": form if members.exists() else None,
        "my_offers": offers.offers_of(members),
    }
    if token is not None:
        context["member"] = members.get()
    return render(request, "volunteers/me.html", context)


def _offer(request: HttpRequest, actor: Any, form: MyOfferForm) -> bool:
    """Record the member's offer; False when the form has errors to show."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        offers.offer_from_member(
            actor,
            data["member"],
            days=offers.Days(data["first_day"], data["last_day"], data["starts"], data["until"]),
            kind=data["kind"],
            vehicle_kind=data["vehicle_kind"],
            capacity_cartons=data["capacity_cartons"] or 0,
            plate=data["plate"],
            drivers=list(data["drivers"]),
            skill=data["skill"],
            note=data["note"],
            client_key=data["client_key"],
        )
    except ValidationError as error:
        apply_errors(form, error)
        return False
    messages.success(request, _("Thank you. Your offer now waits for your team leader to confirm it."))
    return True


def _sign(request: HttpRequest, actor: Any, assignment: ShiftAssignment) -> None:
    try:
        if request.POST.get("action") == "out":
            shifts.sign_out(actor, assignment)
            messages.success(request, _("Signed out. Thank you!"))
        else:
            shifts.sign_in(actor, assignment)
            messages.success(request, _("Signed in."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def sign(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    # One's own turns and those of teams one sees: anyone else's answers 404, not 403.
    seen = ShiftAssignment.objects.filter(
        Q(member__user_id=request.user.pk) | Q(shift__team__in=queries.visible_teams(request.user))
    )
    assignment = get_object_or_404(seen.select_related("shift__team__region", "member"), pk=assignment_id)
    _sign(request, request.user, assignment)
    return redirect("volunteers:me")


def duty_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The same page for a member without an account, opened from their duty link."""
    member = duty.read_duty_token(token)
    members = Member.objects.filter(pk=member.pk).select_related("team")
    form = MyOfferForm(request.POST if "offer" in request.POST else None, members=members)
    if "offer" in request.POST:
        if _offer(request, None, form):  # the link itself is the member's proof
            return redirect("volunteers:duty", token=token)
    elif request.method == "POST":
        assignment = get_object_or_404(
            ShiftAssignment.objects.select_related("shift__team__region", "member"),
            pk=posted_pk(request.POST, "assignment"),
            member=member,
        )
        _sign(request, None, assignment)  # the link itself is the member's proof
        return redirect("volunteers:duty", token=token)
    return _duty_page(request, members, form, token=token)
