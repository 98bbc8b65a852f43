"""The company's office: overview, accounts (with Excel), applications and their steps, rules."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts import exports
from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors, named_errors
from fugong.core.http import AuthedRequest, chosen
from fugong.core.imports import start_import
from fugong.directory.models import Organisation

from .. import queries
from ..access import may_administer, may_serve, readable_companies, sees_personal_data
from ..forms import (
    AccountForm,
    ApplicationForm,
    DispatchForm,
    RejectForm,
    RestorationForm,
    RulesForm,
    TariffForm,
    UploadForm,
)
from ..models import AccountKind, ApplicationStatus, CapacityApplication, CapacityTariff, FieldOrder, PowerAccount
from ..services import applications, customers, exchange
from ..tasks import import_power_accounts


def company_of(request: AuthedRequest) -> tuple[Organisation, list[Organisation]]:
    """The power company the page is about (?company=id, default the first the user reads)."""
    companies = list(readable_companies(request.user))
    return chosen(request, companies, "company"), companies


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    company, companies = company_of(request)
    priority = queries.priority_counts(request.user, company, timezone.localdate())
    context = {
        "company": company,
        "companies": companies,
        "accounts": queries.account_counts(company.pk),
        "statuses": queries.application_counts(company.pk),
        "status_labels": dict(ApplicationStatus.choices),
        "halls": queries.hall_sites(request.user).filter(organisation=company),
        "open_calls": priority["waiting"],
        "overdue": priority["overdue"],
        "field_orders": FieldOrder.objects.filter(
            application__account__organisation=company, done_at__isnull=True
        ).select_related("application__account", "assignee"),
        "can_serve": may_serve(request.user, company),
        "can_administer": may_administer(request.user, company),
    }
    return render(request, "power/index.html", context)


@login_required
def accounts(request: AuthedRequest) -> HttpResponse:
    company, companies = company_of(request)
    qs = queries.search_accounts(
        queries.visible_accounts(request.user).filter(organisation=company), request.GET.get("q", "")
    )
    kind = request.GET.get("kind", "")
    if kind in AccountKind.values:
        qs = qs.filter(kind=kind)
    if exports.is_export(request):
        return exports.workbook_response(
            request,
            title=_("Power accounts"),
            columns=exchange.COLUMNS,
            rows=lambda full: exchange.account_rows(qs, full_mobile=full),
            filename="power-accounts",
            organisation=company,
        )
    page = Paginator(qs.order_by("number"), 50).get_page(request.GET.get("page"))
    context = {
        "company": company,
        "companies": companies,
        "page": page,
        "q": request.GET.get("q", ""),
        "kind": kind,
        "kinds": AccountKind.choices,
        "can_administer": may_administer(request.user, company),
        "may_export_full": exports.may_export_full(request.user, company),
    }
    return render(request, "power/_account_rows.html" if request.htmx else "power/accounts.html", context)


@login_required
def account_new(request: AuthedRequest) -> HttpResponse:
    company, _companies = company_of(request)
    require(may_administer(request.user, company))
    form = AccountForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            account = customers.save_account(request.user, company, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("power:account", account.pk)
    return render(request, "power/account_form.html", {"company": company, "form": form})


@login_required
def account_detail(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(queries.visible_accounts(request.user), pk=account_id)
    company = account.organisation
    edit = (
        AccountForm(request.POST or None, instance=account, company=company)
        if may_administer(request.user, company)
        else None
    )
    apply_form = ApplicationForm(account=account) if may_serve(request.user, company) else None
    if request.method == "POST" and edit is not None and edit.is_valid():
        try:
            customers.save_account(request.user, company, PowerAccount.objects.get(pk=account.pk), **edit.cleaned_data)
        except ValidationError as error:
            apply_errors(edit, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("power:account", account.pk)
    context = {
        "account": account,
        "company": company,
        "edit": edit,
        "apply_form": apply_form,
        "applications": account.applications.order_by("-applied_at"),
        "held": applications.held_capacity(account, timezone.localdate()),
        "full": sees_personal_data(request.user, company),
    }
    return render(request, "power/account.html", context)


@login_required
def apply(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(queries.visible_accounts(request.user), pk=account_id)
    require(may_serve(request.user, account.organisation))
    form = ApplicationForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            application = applications.apply(request.user, account, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Application taken; the enterprise gets an SMS."))
            return redirect("power:application", application.pk)
    return render(request, "power/apply.html", {"account": account, "form": form})


@login_required
def application_list(request: AuthedRequest) -> HttpResponse:
    company, companies = company_of(request)
    status = request.GET.get("status", "")
    qs = queries.visible_applications(request.user).filter(account__organisation=company)
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "company": company,
        "companies": companies,
        "page": page,
        "status": status,
        "statuses": ApplicationStatus.choices,
        "counts": queries.application_counts(company.pk),
    }
    return render(request, "power/applications.html", context)


@login_required
def application_detail(request: AuthedRequest, application_id: int) -> HttpResponse:
    application = get_object_or_404(queries.visible_applications(request.user), pk=application_id)
    company = application.account.organisation
    serve = may_serve(request.user, company)
    order = FieldOrder.objects.filter(application=application).select_related("assignee").first()
    workers, is_crew = queries.dispatchable(company, order.station) if order else (None, False)
    context = {
        "application": application,
        "account": application.account,
        "events": application.events.select_related("actor"),
        "saving": applications.saving_of(application),
        "order": order,
        "can_serve": serve,
        "reject_form": RejectForm() if serve else None,
        "restore_form": RestorationForm() if serve else None,
        "dispatch_form": DispatchForm(workers=workers) if serve and order and not order.done_at else None,
        "crew_known": is_crew,
    }
    return render(request, "power/application.html", context)


@login_required
@require_POST
def application_act(request: AuthedRequest, application_id: int, action: str) -> HttpResponse:
    """approve, reject, restore (the one call), dispatch, complete: each a service."""
    application = get_object_or_404(queries.visible_applications(request.user), pk=application_id)
    require(may_serve(request.user, application.account.organisation))
    try:
        _act(request, application, action)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    if request.POST.get("back") == "field":
        return redirect("power:field_work")  # done at the meter, from the field-work page
    return redirect("power:application", application.pk)


def _act(request: AuthedRequest, application: CapacityApplication, action: str) -> None:
    user = request.user
    if action == "approve":
        applications.approve(user, application)
        messages.success(request, _("Approved; the enterprise gets an SMS."))
    elif action == "reject":
        rejection = RejectForm(request.POST)
        if not rejection.is_valid():
            raise named_errors(rejection)
        try:
            applications.reject(user, application, rejection.cleaned_data["reason"])
        except ValidationError as error:
            raise named_errors(rejection, error) from error
        messages.success(request, _("Rejected; the enterprise gets an SMS with the reason."))
    elif action == "restore":
        restoration = RestorationForm(request.POST)
        if not restoration.is_valid():
            raise named_errors(restoration)
        try:
            applications.request_restoration(user, application, **restoration.cleaned_data)
        except ValidationError as error:
            raise named_errors(restoration, error) from error
        messages.success(
            request, _("Restoration requested and sent to the supply station; the enterprise gets an SMS.")
        )
    elif action == "dispatch":
        order = get_object_or_404(FieldOrder, application=application)
        workers, _crew = queries.dispatchable(application.account.organisation, order.station)
        dispatch = DispatchForm(request.POST, workers=workers)
        if not dispatch.is_valid():
            raise ValidationError(_("Choose the field worker."))
        try:
            applications.dispatch_field_order(user, order, dispatch.cleaned_data["worker"])
        except ValidationError as error:
            raise named_errors(dispatch, error) from error
        messages.success(request, _("Field worker sent; the enterprise gets an SMS."))
    elif action == "complete":
        applications.complete_restoration(user, application, request.POST.get("note", ""))
        messages.success(request, _("Supply restored; the enterprise gets an SMS with what it saved."))
    else:
        raise Http404


@login_required
def rules(request: AuthedRequest) -> HttpResponse:
    company, companies = company_of(request)
    require(may_administer(request.user, company))
    current = applications.rules_of(company.pk)
    form = RulesForm(request.POST or None, instance=current, prefix="rules")
    tariff = TariffForm(request.POST or None, prefix="tariff")
    if request.method == "POST":
        target = request.POST.get("save")
        chosen = form if target == "rules" else tariff
        if chosen.is_valid():
            try:
                if target == "rules":
                    applications.save_rules(request.user, company, **form.cleaned_data)
                else:
                    applications.set_tariff(request.user, company, **tariff.cleaned_data)
            except ValidationError as error:
                apply_errors(chosen, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?company={company.pk}")
    context = {
        "company": company,
        "companies": companies,
        "form": form,
        "tariff_form": tariff,
        "tariffs": CapacityTariff.objects.filter(organisation=company),
        "relaxation_today": applications.relaxation_on(current, timezone.localdate()),
    }
    return render(request, "power/rules.html", context)


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    company, companies = company_of(request)
    require(may_administer(request.user, company))
    form = UploadForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = start_import(
                import_power_accounts,
                file,
                kind="power.import.accounts",
                title=_("Import power accounts from %(file)s") % {"file": file.name},
                user=request.user,
                args=(company.pk,),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = UploadForm()
    context: dict[str, Any] = {
        "company": company,
        "companies": companies,
        "form": form,
        "job": job,
        "columns": exchange.COLUMNS,
    }
    return render(request, "power/upload.html", context)
