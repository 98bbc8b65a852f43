"""Mediation cases: visible only to their team and coordinators."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, posted_pk, posted_pks

from .. import queries
from ..access import may_work_case, sees_party_contacts
from ..forms import (
    CaseForm,
    CloseCaseForm,
)
from ..models import TeamKind
from ..services import mediation


@login_required
def cases(request: AuthedRequest) -> HttpResponse:
    # distinct: the visibility filter joins the team's members, which would count each session once per member
    listing = queries.visible_cases(request.user).annotate(sessions_held=Count("sessions", distinct=True))
    workable = [
        t for t in queries.visible_teams(request.user).filter(kind=TeamKind.MEDIATION) if may_work_case(request.user, t)
    ]
    form = CaseForm(request.POST or None)
    if request.method == "POST":
        team = get_object_or_404(queries.visible_teams(request.user), pk=posted_pk(request.POST, "team"))
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
                mediators = list(case.team.members.filter(pk__in=posted_pks(request.POST, "mediator")))
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
        "party_contacts": sees_party_contacts(request.user, case),
        "sessions": case.sessions.prefetch_related("mediators"),
        "close_form": close_form,
        "team_members": case.team.members.filter(left_on__isnull=True),
    }
    return render(request, "volunteers/case.html", context)
