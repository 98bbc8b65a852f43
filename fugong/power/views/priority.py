"""The priority line: registered residents, open calls, visits and revisits."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors, named_errors
from fugong.core.http import AuthedRequest
from fugong.core.pinyin import normalise_query
from fugong.volunteers.models import Member

from .. import queries
from ..access import may_serve, sees_personal_data
from ..forms import AssignForm, CallForm, RepairForm, ResidentForm, RevisitForm, VisitForm
from ..models import REPAIR_KINDS, CallStatus, FieldOrder, PriorityCall, Resident, Revisit
from ..services import priority
from .office import company_of


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    """Calls waiting for someone (urgent first), revisits due (overdue first), residents."""
    company, companies = company_of(request)
    query = normalise_query(request.GET.get("q", ""))
    residents = queries.visible_residents(request.user).filter(organisation=company, ended_on__isnull=True)
    if query:
        residents = residents.filter(name__contains=query)
    context = {
        "company": company,
        "companies": companies,
        "calls": queries.open_calls(request.user).filter(resident__organisation=company),
        "revisits": queries.open_revisits(request.user).filter(resident__organisation=company)[:100],
        "residents": residents[:200],
        "today": timezone.localdate(),
        "can_serve": may_serve(request.user, company),
        "q": request.GET.get("q", ""),
    }
    return render(request, "power/priority.html", context)


@login_required
def resident_new(request: AuthedRequest) -> HttpResponse:
    company, _companies = company_of(request)
    require(may_serve(request.user, company))
    form = ResidentForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            resident = priority.save_resident(request.user, company, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("power:resident", resident.pk)
    return render(request, "power/resident_form.html", {"company": company, "form": form})


@login_required
def resident_detail(request: AuthedRequest, resident_id: int) -> HttpResponse:
    resident = get_object_or_404(queries.visible_residents(request.user), pk=resident_id)
    company = resident.organisation
    serve = may_serve(request.user, company)
    edit = ResidentForm(request.POST or None, instance=resident, company=company) if serve else None
    call_form = CallForm() if serve and resident.ended_on is None else None
    if request.method == "POST" and edit is not None and request.POST.get("form") == "edit" and edit.is_valid():
        try:
            priority.save_resident(request.user, company, Resident.objects.get(pk=resident.pk), **edit.cleaned_data)
        except ValidationError as error:
            apply_errors(edit, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("power:resident", resident.pk)
    context = {
        "resident": resident,
        "edit": edit,
        "call_form": call_form,
        "calls": resident.calls.prefetch_related("visits", "revisits"),
        "full": sees_personal_data(request.user, company),
        "today": timezone.localdate(),
    }
    return render(request, "power/resident.html", context)


@login_required
@require_POST
def resident_call(request: AuthedRequest, resident_id: int) -> HttpResponse:
    resident = get_object_or_404(queries.visible_residents(request.user), pk=resident_id)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            call = priority.receive_call(request.user, resident, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("power:call", call.pk)
    return redirect("power:resident", resident.pk)


@login_required
@require_POST
def resident_end(request: AuthedRequest, resident_id: int) -> HttpResponse:
    resident = get_object_or_404(queries.visible_residents(request.user), pk=resident_id)
    try:
        priority.end_registration(request.user, resident)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("power:resident", resident.pk)


def _call_of(request: AuthedRequest, call_id: int) -> PriorityCall:
    calls = PriorityCall.objects.filter(resident__in=queries.visible_residents(request.user))
    return get_object_or_404(calls.select_related("resident__organisation", "resident__region"), pk=call_id)


def _assign_form(call: PriorityCall, data: object = None) -> AssignForm:
    return AssignForm(data, helpers=queries.helpers_for(call))


def _repair(call: PriorityCall, data: object = None) -> dict[str, Any]:
    """The one-step repair order a no-power or unsafe call offers: the station, whether its crew
    is on the platform, and the form naming who goes."""
    if call.kind not in REPAIR_KINDS or call.status == CallStatus.VISITED:
        return {}
    station = queries.station_of(call.resident)
    if not station:
        return {"station": ""}
    workers, is_crew = queries.dispatchable(call.resident.organisation, station)
    return {"station": station, "crew_known": is_crew, "form": RepairForm(data, workers=workers)}


@login_required
def call_detail(request: AuthedRequest, call_id: int) -> HttpResponse:
    call = _call_of(request, call_id)
    company = call.resident.organisation
    serve = may_serve(request.user, company)
    order = FieldOrder.objects.filter(call=call).select_related("assignee").first()
    context = {
        "order": order,
        "repair": _repair(call) if serve and order is None else {},
        "call": call,
        "resident": call.resident,
        "visits": call.visits.all(),
        "revisits": call.revisits.all(),
        "assign_form": _assign_form(call) if serve else None,
        "visit_form": VisitForm() if serve else None,
        "revisit_form": RevisitForm() if serve else None,
        "full": sees_personal_data(request.user, company),
        "today": timezone.localdate(),
    }
    return render(request, "power/call.html", context)


@login_required
@require_POST
def call_act(request: AuthedRequest, call_id: int, action: str) -> HttpResponse:
    call = _call_of(request, call_id)
    try:
        if action == "assign":
            form = _assign_form(call, request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose one person to go."))
            kind, _sep, pk = form.cleaned_data["assignee"].partition(":")
            if kind == "user":
                call = priority.assign(request.user, call, user=get_object_or_404(User, pk=pk))
            else:
                call = priority.assign(request.user, call, member=get_object_or_404(Member, pk=pk))
            messages.success(request, _("%(who)s is on the way.") % {"who": call.assignee})
        elif action == "repair":
            require(may_serve(request.user, call.resident.organisation))
            repair = _repair(call, request.POST)
            repair_form: RepairForm | None = repair.get("form")
            if repair_form is None:
                raise ValidationError(_("This call cannot become a repair order."))
            if not repair_form.is_valid():
                raise named_errors(repair_form)
            try:
                priority.order_repair(request.user, call, repair_form.cleaned_data["worker"])
            except ValidationError as error:
                raise named_errors(repair_form, error) from error
            messages.success(request, _("Repair order sent to %(station)s.") % {"station": repair["station"]})
        elif action == "repaired":
            require(may_serve(request.user, call.resident.organisation))
            order = get_object_or_404(FieldOrder, call=call)
            priority.complete_repair(request.user, order, request.POST.get("note", ""))
            messages.success(request, _("Supply restored; the visit is recorded and the revisit is on the list."))
            if request.POST.get("back") == "field":
                return redirect("power:field_work")
        elif action == "visit":
            visit = VisitForm(request.POST)
            if not visit.is_valid():
                raise named_errors(visit)
            try:
                priority.record_visit(request.user, call, **visit.cleaned_data)
            except ValidationError as error:
                raise named_errors(visit, error) from error
            messages.success(request, _("Visit recorded; the revisit is on the list."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("power:call", call.pk)


@login_required
@require_POST
def revisit_done(request: AuthedRequest, revisit_id: int) -> HttpResponse:
    revisit = get_object_or_404(
        Revisit.objects.filter(resident__in=queries.visible_residents(request.user)), pk=revisit_id
    )
    form = RevisitForm(request.POST)
    if form.is_valid():
        try:
            priority.complete_revisit(request.user, revisit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Revisit done."))
    for text in named_errors(form).messages:
        messages.error(request, text)
    return redirect("power:call", revisit.call_id)
