"""Calls for help: opening, sending, answering through a signed link, confirming; the
borrowed fleet they make for a day."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, posted_pk, posted_pks
from fugong.notify.queries import default_channel

from .. import queries
from ..access import may_coordinate_organisation
from ..forms import (
    AnswerForm,
    CallNoteForm,
    HelpCallForm,
    SendCallForm,
)
from ..models import AnswerStatus, Member
from ..services import calls
from ..thread import call_thread
from .admission import admissions_on_duty
from .scoping import channels_for, teams_to_call, why_no_channel


@login_required
def call_list(request: AuthedRequest) -> HttpResponse:
    listing = queries.visible_calls(request.user).annotate(
        confirmed=Count("answers", filter=Q(answers__status=AnswerStatus.CONFIRMED), distinct=True),
        willing=Count("answers", filter=Q(answers__status=AnswerStatus.YES), distinct=True),
    )
    return render(request, "volunteers/calls.html", {"calls": listing[:100], "may_open": bool(teams_to_call(request))})


@login_required
def call_new(request: AuthedRequest) -> HttpResponse:
    choices = teams_to_call(request)
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
    channels = channels_for(request, calls.MESSAGE_KIND)
    send_form = SendCallForm(
        request.POST if "send" in request.POST else None,
        channels=channels,
        initial={"channel": preset_channel(channels)},
    )
    note_form = CallNoteForm(request.POST if "note" in request.POST else None)
    if request.method == "POST":
        require(coordinates)
        try:
            if "send" in request.POST and send_form.is_valid():
                data = send_form.cleaned_data
                sending = calls.send_call(request.user, call, data["channel"], remind=data["remind"])
                (messages.success if sending.sent else messages.warning)(request, sending_summary(sending))
            elif "note" in request.POST and note_form.is_valid():
                calls.add_note(request.user, call, note_form.cleaned_data["text"])
            elif "confirm" in request.POST:
                # Only people who answered this call: a posted id of anyone else finds nobody (and no name).
                answered = Member.objects.filter(answers__call=call)
                chosen = list(answered.filter(pk__in=posted_pks(request.POST, "member")))
                calls.confirm(request.user, call, chosen)
                messages.success(request, _("Confirmed."))
            elif "release" in request.POST:
                member = get_object_or_404(
                    Member.objects.filter(answers__call=call), pk=posted_pk(request.POST, "release")
                )
                calls.release(request.user, call, member)
            elif "cancel" in request.POST:
                calls.cancel_call(request.user, call)
            if not send_form.errors and not note_form.errors:
                return redirect("volunteers:call", call_id=call.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("volunteers:call", call_id=call.pk)
    answers = list(call.answers.select_related("member__team", "vehicle").order_by("answered_at"))
    confirmed = [a for a in answers if a.status == AnswerStatus.CONFIRMED]
    admissions = admissions_on_duty(call.site, call.starts_at, call.ends_at, [a.member for a in confirmed])
    context = {
        "call": call,
        "answers": answers,
        "coordinates": coordinates,
        "send_form": send_form,
        "note_form": note_form,
        "no_channel": why_no_channel(request, call.organisation) if coordinates and not channels.exists() else "",
        "confirmed": len(confirmed),
        "admissions": admissions,
        "invitees": len(calls.invitees(call)) if coordinates else None,
        "plan": calls.plan_invitations(call) if coordinates else None,
        "thread": call_thread(call),
    }
    return render(request, "volunteers/call.html", context)


def preset_channel(channels: Any) -> int | None:
    """The only channel there is, or else the platform default when it is among them."""
    only = list(channels.values_list("pk", flat=True)[:2])
    if len(only) == 1:
        return only[0]
    preset = default_channel()
    return preset.pk if preset is not None and preset.pk in channels.values_list("pk", flat=True) else None


def sending_summary(sending: calls.Sending) -> str:
    """Sent N, skipped M and why: the coordinator sees that no one was asked twice."""
    plan = sending.plan
    text = _("Sent %(sent)d.") % {"sent": sending.sent}
    if plan.skipped:
        reasons = _(
            "Skipped %(skipped)d: %(booked)d already booked at that time, %(answered)d already answered, "
            "%(invited)d asked before and not answered yet."
        ) % {
            "skipped": plan.skipped,
            "booked": len(plan.booked),
            "answered": len(plan.answered),
            "invited": len(plan.invited),
        }
        text = f"{text} {reasons}"
    return text


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
