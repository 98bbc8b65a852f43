"""At the door: the staff console, referrals, the check-in list, and the hygiene logs."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fugong.accounts.permissions import require
from fugong.core.clock import day_bounds
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, posted_pk

from .. import queries, rules
from ..access import may_screen, sees_personal_data
from ..forms import CheckInForm, DisinfectionForm, StaffTemperatureForm
from ..models import Channel, CheckIn, Decision, Disinfection, StaffTemperature
from ..services import checkins, logs, policies, venues
from .office import venue_of


@login_required
def console(request: AuthedRequest, venue_id: int) -> HttpResponse:
    """The fastest way through the door: number, answers, temperature, Enter."""
    venue = venue_of(request, venue_id)
    require(may_screen(request.user, venue))
    policy = policies.in_force(venue.site)
    form = CheckInForm(request.POST or None, policy=policy, at_the_door=True) if policy else None
    last = None
    if policy is not None and form is not None and request.method == "POST" and form.is_valid():
        visitor = form.visitor()
        if not visitor.name:
            visitor = checkins.Visitor(name=_("Visitor"), mobile=visitor.mobile, id_number=visitor.id_number)
        try:
            last, _created = checkins.check_in(
                request.user, venue, visitor, form.answers(), channel=Channel.CONSOLE, nonce=form.cleaned_data["nonce"]
            )
        except checkins.NonceConflict:
            form.add_error(None, _("This form was already used for someone else. Please enter the person again."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = CheckInForm(policy=policy, at_the_door=True)
    context = {
        "venue": venue,
        "policy": policy,
        "form": form,
        "last": last,
        "last_reasons": rules.reasons(last.results) if last else [],
        **_feed(venue),
    }
    return render(request, "screening/console.html", context)


def _feed(venue: Any, refused: tuple[int, str] | None = None) -> dict[str, Any]:
    """Today's check-ins, and the referrals waiting with why each was made, whether its
    temperature is still to be taken, and (`refused`) why deciding one was refused."""
    referrals = list(queries.open_referrals(venue).order_by("at", "pk"))
    for record in referrals:
        record.reasons = rules.reasons(record.results)  # type: ignore[attr-defined]
        record.unmeasured = rules.unmeasured(record.results)  # type: ignore[attr-defined]
        record.error = refused[1] if refused and refused[0] == record.pk else ""  # type: ignore[attr-defined]
    return {
        "recent": queries.recent_checkins(venue),
        "referrals": referrals,
        "counts": queries.counts_today([venue]).get(venue.pk, dict.fromkeys(Decision.values, 0)),
    }


@login_required
def console_feed(request: AuthedRequest, venue_id: int) -> HttpResponse:
    """The console's list of today's check-ins (phones' too), refreshed every few seconds."""
    venue = venue_of(request, venue_id)
    require(may_screen(request.user, venue))
    return render(request, "screening/_feed.html", {"venue": venue, **_feed(venue)})


@login_required
@require_POST
def decide(request: AuthedRequest, checkin_id: int) -> HttpResponse:
    record = get_object_or_404(
        CheckIn.objects.filter(venue__in=queries.visible_venues(request.user)).select_related("venue"), pk=checkin_id
    )
    refused = None
    try:
        decision = Decision(request.POST.get("decision", ""))
        checkins.decide_referral(request.user, record, decision, temperature=request.POST.get("temperature"))
    except ValueError:
        refused = (record.pk, _("Admit or refuse."))
    except ValidationError as error:
        refused = (record.pk, " ".join(error.messages))
    if request.htmx:
        return render(request, "screening/_feed.html", {"venue": record.venue, **_feed(record.venue, refused)})
    if refused:
        messages.error(request, refused[1])
    return redirect("screening:console", record.venue_id)


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return timezone.localdate()


@login_required
@require_http_methods(["GET", "POST"])
def checkin_list(request: AuthedRequest, venue_id: int) -> HttpResponse:
    """A day's check-ins, masked; administrators find one person's visits by full number."""
    venue = venue_of(request, venue_id)
    require(may_screen(request.user, venue))
    full = sees_personal_data(request.user, venue)
    day = _day(request.GET.get("day"))
    # A search by full number is posted, so the number never sits in a URL (history, proxy logs).
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    searched = False
    records: Sequence[CheckIn] | QuerySet[CheckIn]
    if query and full:
        records = checkins.trace_person(request.user, checkins.person_key(query), venue=venue)
        searched = True
    else:
        start, end = day_bounds(day)
        records = CheckIn.objects.filter(venue=venue, at__gte=start, at__lt=end).select_related("checked_by")
    page = Paginator(records, checkins.TRACE_LIMIT if searched else 50).get_page(
        1 if searched else request.GET.get("page")
    )
    context = {
        "venue": venue,
        "page": page,
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < timezone.localdate() else None,
        "query": query,
        "full": full and searched,
        "may_search": full,
    }
    return render(request, "screening/checkins.html", context)


def _taken(reading: StaffTemperature) -> tuple[datetime, int]:
    return reading.taken_at, reading.pk


@login_required
def hygiene(request: AuthedRequest, venue_id: int) -> HttpResponse:
    """Staff temperatures twice a day and disinfection rounds: record them, see what is overdue,
    and say what was done about a staff fever."""
    venue = venue_of(request, venue_id)
    require(may_screen(request.user, venue))
    staff = logs.roster(venue)
    posted = request.POST.get("form") if request.method == "POST" else None
    temperature_form = StaffTemperatureForm(
        request.POST if posted == "temperature" else None,
        staff=staff,
        initial={"staff": request.user.pk if request.user in staff else None},
    )
    disinfection_form = DisinfectionForm(
        request.POST if posted == "disinfection" else None, initial={"done_by": request.user.get_full_name()}
    )
    fever_error: tuple[int, str] | None = None
    if posted == "temperature" and temperature_form.is_valid():
        try:
            entry = logs.record_staff_temperature(
                request.user,
                venue,
                temperature_form.cleaned_data["staff"],
                temperature_form.cleaned_data["temperature"],
            )
        except ValidationError as error:
            apply_errors(temperature_form, error)
        else:
            _tell_reading(request, venue, entry)
            return redirect("screening:hygiene", venue.pk)
    if posted == "fever":
        entry = get_object_or_404(StaffTemperature, venue=venue, pk=posted_pk(request.POST, "reading"))
        try:
            again = logs.act_on_fever(
                request.user, entry, request.POST.get("action", ""), temperature=request.POST.get("temperature")
            )
        except ValidationError as error:
            fever_error = (entry.pk, " ".join(error.messages))
        else:
            if again is not None:
                _tell_reading(request, venue, again)
            else:
                messages.success(request, _("Recorded: %(name)s was sent home.") % {"name": entry.staff})
            return redirect("screening:hygiene", venue.pk)
    if posted == "disinfection" and disinfection_form.is_valid():
        try:
            logs.record_disinfection(request.user, venue, **disinfection_form.cleaned_data)
        except ValidationError as error:
            apply_errors(disinfection_form, error)
        else:
            messages.success(request, _("Disinfection round recorded."))
            return redirect("screening:hygiene", venue.pk)
    today_start, _today_end = day_bounds(timezone.localdate())
    readings = StaffTemperature.objects.filter(venue=venue, taken_at__gte=today_start).select_related("staff")
    spans = logs.slot_spans(timezone.localdate(), venues.slot_times(venue.staff_check_times))
    board = []
    for person in staff:
        slots = []
        for _due, start, end in spans:
            # Every reading of the round, in order: a fever stays on the log after the re-measure.
            taken = sorted((r for r in readings if r.staff_id == person.pk and start <= r.taken_at < end), key=_taken)
            late = bool(taken) and logs.late_for(venue, taken[0].taken_at) is not None
            slots.append({"readings": taken, "late": late})
        board.append({"person": person, "slots": slots})
    context = {
        "venue": venue,
        "overdue": logs.overdue(venue),
        "fevers": _with_error(list(logs.open_fevers([venue])), fever_error),
        "board": board,
        "slot_times": [due for due, _start, _end in spans],
        "fever_from": logs.fever_threshold(venue),
        "rounds": Disinfection.objects.filter(venue=venue, done_at__gte=today_start - timedelta(days=6))[:40],
        "temperature_form": temperature_form,
        "disinfection_form": disinfection_form,
    }
    return render(request, "screening/hygiene.html", context)


def _with_error(fevers: list[StaffTemperature], error: tuple[int, str] | None) -> list[StaffTemperature]:
    """The fevers, the one whose action was refused carrying why (shown beside its form)."""
    for fever in fevers:
        fever.error = error[1] if error and error[0] == fever.pk else ""  # type: ignore[attr-defined]
    return fevers


def _tell_reading(request: AuthedRequest, venue: Any, entry: StaffTemperature) -> None:
    """What the reading means, said once it is recorded: a fever is an alert, a late one is late."""
    late = logs.late_for(venue, entry.taken_at)
    words = {"name": entry.staff, "reading": entry.temperature, "bar": logs.fever_threshold(venue)}
    if entry.fever:
        messages.error(
            request,
            _("%(name)s: %(reading)s °C, at or above %(bar)s °C. Record what was done: sent home or measured again.")
            % words,
        )
    elif late is not None:
        messages.warning(
            request,
            _("Temperature recorded, late for the %(time)s round.") % {"time": late.strftime("%H:%M")},
        )
    else:
        messages.success(request, _("Temperature recorded."))
