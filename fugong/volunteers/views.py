"""Pages for coordinators (teams, calls, shifts, statistics, cases) and for members on their
phones (answering a call through its link, their own shifts)."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts.permissions import require, scope_of
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest
from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE, write_workbook
from fugong.directory import queries as directory_queries
from fugong.directory.models import Region, Site
from fugong.notify.queries import usable_channels

from . import calls, ledger, mediation, queries, shifts, stats
from .access import may_coordinate_organisation, may_run_team, may_work_case
from .forms import (
    ActivityForm,
    AidForm,
    AnswerForm,
    CaseForm,
    CloseCaseForm,
    HelpCallForm,
    RosterForm,
    SendCallForm,
    StatsForm,
)
from .models import AidItem, AnswerStatus, HelpAnswer, Member, Shift, ShiftAssignment, TeamKind


def _coordinated_teams(request: AuthedRequest) -> Any:
    return [t for t in queries.visible_teams(request.user) if may_run_team(request.user, t)]


def _teams_to_call(request: AuthedRequest) -> Any:
    """Teams whose organisation the user coordinates: those a call for help may go to."""
    return [
        t
        for t in queries.visible_teams(request.user)
        if may_coordinate_organisation(request.user, t.organisation_id, t.region.code)
    ]


@login_required
def teams(request: AuthedRequest) -> HttpResponse:
    listing = queries.visible_teams(request.user).annotate(
        size=Count("members", filter=Q(members__left_on__isnull=True), distinct=True)
    )
    query = request.GET.get("q", "").strip()
    listing = directory_queries.search(listing, query)
    return render(request, "volunteers/teams.html", {"teams": listing, "q": query})


@login_required
def team_detail(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(queries.visible_teams(request.user), pk=team_id)
    runs = may_run_team(request.user, team)
    activity_form = ActivityForm(request.POST if "record_activity" in request.POST else None, team=team)
    aid_form = AidForm(request.POST if "record_aid" in request.POST else None)
    if request.method == "POST":
        require(runs)
        try:
            if "record_activity" in request.POST and activity_form.is_valid():
                ledger.record_activity(request.user, team, **activity_form.cleaned_data)
                messages.success(request, _("Activity recorded."))
                return redirect("volunteers:team", team_id=team.pk)
            if "record_aid" in request.POST and aid_form.is_valid():
                data = aid_form.cleaned_data
                quantity = data["quantity"] if data["direction"] == "in" else -data["quantity"]
                ledger.record_aid(
                    request.user,
                    team,
                    item=data["item"],
                    quantity=quantity,
                    on=data["on"],
                    counterparty=data["counterparty"],
                )
                messages.success(request, _("Ledger updated."))
                return redirect("volunteers:team", team_id=team.pk)
        except ValidationError as error:
            apply_errors(activity_form if "record_activity" in request.POST else aid_form, error)
    members = team.members.filter(left_on__isnull=True).select_related("village").prefetch_related("offers")
    context = {
        "team": team,
        "runs": runs,
        "members": members,
        "stock": [(AidItem(item).label, n) for item, n in sorted(ledger.stock(team).items())],
        "activities": team.activities.prefetch_related("participants")[:20],
        "activity_form": activity_form,
        "aid_form": aid_form,
        "show_mobiles": runs,
    }
    return render(request, "volunteers/team.html", context)


@login_required
def call_list(request: AuthedRequest) -> HttpResponse:
    listing = queries.visible_calls(request.user).annotate(
        confirmed=Count("answers", filter=Q(answers__status=AnswerStatus.CONFIRMED), distinct=True),
        willing=Count("answers", filter=Q(answers__status=AnswerStatus.YES), distinct=True),
    )
    return render(request, "volunteers/calls.html", {"calls": listing[:100], "may_open": bool(_teams_to_call(request))})


@login_required
def call_new(request: AuthedRequest) -> HttpResponse:
    choices = _teams_to_call(request)
    require(bool(choices))
    team_qs = queries.visible_teams(request.user).filter(pk__in=[t.pk for t in choices])
    form = HelpCallForm(request.POST or None, teams=team_qs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data.pop("teams"))
        try:
            call = calls.open_call(request.user, chosen[0].organisation, teams=chosen, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Call opened. Now send it to the teams."))
            return redirect("volunteers:call", call_id=call.pk)
    return render(request, "volunteers/call_new.html", {"form": form})


@login_required
def call_detail(request: AuthedRequest, call_id: int) -> HttpResponse:
    call = get_object_or_404(queries.visible_calls(request.user), pk=call_id)
    coordinates = may_coordinate_organisation(request.user, call.organisation_id, call.organisation.region.code)
    channels = usable_channels(request.user).filter(templates__kind=calls.MESSAGE_KIND)
    send_form = SendCallForm(request.POST if "send" in request.POST else None, channels=channels)
    if request.method == "POST":
        require(coordinates)
        try:
            if "send" in request.POST and send_form.is_valid():
                count = calls.send_call(request.user, call, send_form.cleaned_data["channel"], settings.BASE_URL)
                messages.success(request, _("%(count)d message(s) queued.") % {"count": count})
            elif "confirm" in request.POST:
                chosen = list(Member.objects.filter(pk__in=request.POST.getlist("member")))
                calls.confirm(request.user, call, chosen)
                messages.success(request, _("Confirmed."))
            elif "release" in request.POST:
                calls.release(request.user, call, get_object_or_404(Member, pk=request.POST["release"]))
            elif "cancel" in request.POST:
                calls.cancel_call(request.user, call)
            if not send_form.errors:
                return redirect("volunteers:call", call_id=call.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("volunteers:call", call_id=call.pk)
    answers = call.answers.select_related("member__team", "vehicle").order_by("answered_at")
    context = {
        "call": call,
        "answers": answers,
        "coordinates": coordinates,
        "send_form": send_form,
        "confirmed": sum(1 for a in answers if a.status == AnswerStatus.CONFIRMED),
        "invitees": len(calls.invitees(call)) if coordinates else None,
    }
    return render(request, "volunteers/call.html", context)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """A member's answer page, opened from the message on their phone: no sign-in needed."""
    call, member = calls.read_answer_token(token)
    vehicles = calls.suitable_vehicles(call, member)
    form = AnswerForm(request.POST or None, vehicles=vehicles)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            result = calls.answer_call(
                call, member, yes=request.POST.get("answer") == "yes", vehicle=form.cleaned_data["vehicle"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            outcome = "full" if result.full else result.answer.status
            if not result.full:
                return redirect("volunteers:answer", token=token)
    mine = call.answers.filter(member=member).first()
    answers = call.answers.filter(status__in=[AnswerStatus.YES, AnswerStatus.CONFIRMED]).select_related("member")
    context = {
        "call": call,
        "member": member,
        "mine": mine,
        "form": form,
        "outcome": outcome,
        "answers": answers,
        "is_confirmed": mine is not None and mine.status == AnswerStatus.CONFIRMED,
        "confirmed": call.answers.filter(status=AnswerStatus.CONFIRMED).count(),
    }
    return render(request, "volunteers/answer.html", context)


@login_required
def fleet(request: AuthedRequest) -> HttpResponse:
    """Borrowed vehicles and drivers for a day: what the delivery planner will use."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    vehicles, drivers = queries.fleet_for_user(request.user, day)
    context = {
        "day": day,
        "vehicles": vehicles,
        "drivers": drivers,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
    }
    return render(request, "volunteers/fleet.html", context)


@login_required
def roster(request: AuthedRequest) -> HttpResponse:
    """Coming shifts, the gaps to fill, and planning new ones."""
    teams = _coordinated_teams(request)
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
    shift = get_object_or_404(Shift.objects.select_related("site", "team__region"), pk=shift_id)
    require(may_run_team(request.user, shift.team))
    if request.method == "POST":
        try:
            if "assign" in request.POST:
                shifts.assign(request.user, shift, get_object_or_404(shift.team.members, pk=request.POST["assign"]))
            elif "unassign" in request.POST:
                shifts.unassign(request.user, get_object_or_404(shift.assignments, pk=request.POST["unassign"]))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("volunteers:shift", shift_id=shift.pk)
    on_shift = shift.assignments.select_related("member")
    free = shift.team.members.filter(left_on__isnull=True).exclude(pk__in=[a.member_id for a in on_shift])
    return render(request, "volunteers/shift.html", {"shift": shift, "on_shift": on_shift, "free": free})


@login_required
def my_duties(request: AuthedRequest) -> HttpResponse:
    """A member's own shifts (sign in and out on the phone) and calls confirmed."""
    members = queries.my_members(request.user)
    since = timezone.now() - timedelta(hours=12)
    mine = (
        ShiftAssignment.objects.filter(member__in=members, shift__ends_at__gte=since)
        .select_related("shift__site", "member")
        .order_by("shift__starts_at")
    )
    confirmed = (
        HelpAnswer.objects.filter(member__in=members, status=AnswerStatus.CONFIRMED, call__ends_at__gte=since)
        .select_related("call")
        .order_by("call__starts_at")
    )
    worked = ShiftAssignment.objects.filter(member__in=members, signed_in_at__isnull=False).select_related("shift")
    hours = sum(shifts.hours_worked(a) for a in worked)
    return render(request, "volunteers/me.html", {"assignments": mine, "confirmed": confirmed, "hours": hours})


@login_required
@require_POST
def sign(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    assignment = get_object_or_404(
        ShiftAssignment.objects.select_related("shift__team__region", "member"), pk=assignment_id
    )
    try:
        if request.POST.get("action") == "out":
            shifts.sign_out(request.user, assignment)
            messages.success(request, _("Signed out. Thank you!"))
        else:
            shifts.sign_in(request.user, assignment)
            messages.success(request, _("Signed in."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("volunteers:me")


def _stats_regions(request: AuthedRequest) -> Any:
    scope = scope_of(request.user)
    regions = Region.objects.filter(level__lte=Region.Level.TOWN).order_by("code")
    if scope.is_platform_admin:
        return regions
    team_regions = {t.region.code[:6] for t in queries.visible_teams(request.user)}
    condition = scope.q_region("code")
    for prefix in team_regions:
        condition |= Q(code__startswith=prefix)
    return regions.filter(condition)


@login_required
def statistics(request: AuthedRequest) -> HttpResponse:
    """The yearly figures for a period and region, counted from the records; exportable."""
    regions = _stats_regions(request)
    require(regions.exists())
    today = timezone.localdate()
    initial = {
        "region": regions.filter(level=Region.Level.COUNTY).first(),
        "first_day": today.replace(month=1, day=1),
        "last_day": today,
    }
    form = StatsForm(request.GET or None, regions=regions, initial=initial)
    data = form.cleaned_data if form.is_bound and form.is_valid() else initial
    result = None
    if data.get("region") is not None:
        result = stats.report(queries.visible_teams(request.user), data["region"], data["first_day"], data["last_day"])
        if request.GET.get("format") == "xlsx":
            rows = [line.as_dict() for line in result.lines] + [result.total.as_dict()]
            title = f"{data['region'].name} {data['first_day']}–{data['last_day']}"
            response = HttpResponse(write_workbook(title, stats.COLUMNS, rows), content_type=EXPORT_CONTENT_TYPE)
            response["Content-Disposition"] = (
                f'attachment; filename="volunteers-{data["first_day"]}-{data["last_day"]}.xlsx"'
            )
            return response
    return render(request, "volunteers/statistics.html", {"form": form, "report": result, "columns": stats.COLUMNS})


@login_required
def cases(request: AuthedRequest) -> HttpResponse:
    listing = queries.visible_cases(request.user).annotate(sessions_held=Count("sessions"))
    workable = [
        t for t in queries.visible_teams(request.user).filter(kind=TeamKind.MEDIATION) if may_work_case(request.user, t)
    ]
    form = CaseForm(request.POST or None)
    if request.method == "POST":
        team = get_object_or_404(queries.visible_teams(request.user), pk=request.POST.get("team"))
        if form.is_valid():
            data = form.cleaned_data
            parties = [
                mediation.Party(data["party_1"], data["party_1_mobile"], _("applicant")),
            ]
            if data["party_2"]:
                parties.append(mediation.Party(data["party_2"], data["party_2_mobile"], _("respondent")))
            try:
                case = mediation.open_case(
                    request.user,
                    team,
                    kind=data["kind"],
                    summary=data["summary"],
                    opened_on=data["opened_on"],
                    parties=parties,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("volunteers:case", case_id=case.pk)
    return render(request, "volunteers/cases.html", {"cases": listing, "form": form, "teams": workable})


@login_required
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(queries.visible_cases(request.user), pk=case_id)
    works = may_work_case(request.user, case.team)
    close_form = CloseCaseForm(request.POST if "close" in request.POST else None)
    if request.method == "POST":
        require(works)
        try:
            if "close" in request.POST and close_form.is_valid():
                mediation.close_case(request.user, case, **close_form.cleaned_data)
                return redirect("volunteers:case", case_id=case.pk)
            if "follow_up" in request.POST:
                mediation.follow_up(request.user, case, note=request.POST.get("note", ""))
                return redirect("volunteers:case", case_id=case.pk)
            if "session" in request.POST:
                mediators = list(case.team.members.filter(pk__in=request.POST.getlist("mediator")))
                held_on = date.fromisoformat(request.POST.get("held_on") or timezone.localdate().isoformat())
                mediation.record_session(
                    request.user, case, held_on=held_on, mediators=mediators, notes=request.POST.get("notes", "")
                )
                return redirect("volunteers:case", case_id=case.pk)
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("volunteers:case", case_id=case.pk)
    context = {
        "case": case,
        "works": works,
        "parties": case.parties.all(),
        "sessions": case.sessions.prefetch_related("mediators"),
        "close_form": close_form,
        "team_members": case.team.members.filter(left_on__isnull=True),
    }
    return render(request, "volunteers/case.html", context)
