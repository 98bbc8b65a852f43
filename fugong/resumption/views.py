"""The leaders' screen: each county's index over time, today's ranking in the city, industry
by county, and the data behind it (files, method) for the city's coordinators."""

from collections import Counter
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, chosen
from fugong.core.models import Job
from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE, Column, write_workbook
from fugong.power.access import may_administer, served_companies
from fugong.power.models import CapacityApplication, PowerAccount
from fugong.power.models.applications import OPEN
from fugong.power.services import notices

from . import queries, services
from .forms import FileForm, SetupForm
from .models import IndexSetup
from .tasks import start_compute, start_import

EXPORT_COLUMNS = (
    Column("day", gettext_lazy("Day")),
    Column("county", gettext_lazy("County")),
    Column("industry", gettext_lazy("Industry")),
    Column("index", gettext_lazy("Resumption index")),
    Column("account_ratio", gettext_lazy("Resumed accounts (%)")),
    Column("consumption_ratio", gettext_lazy("Resumed consumption (%)")),
    Column("resumed", gettext_lazy("Accounts resumed")),
    Column("accounts", gettext_lazy("Accounts counted")),
    Column("excluded", gettext_lazy("Accounts left out")),
    Column("rank", gettext_lazy("Rank")),
    Column("index_year_before", gettext_lazy("A year earlier")),
)


def _setup(request: AuthedRequest) -> tuple[IndexSetup, list[IndexSetup]]:
    setups = list(queries.visible_setups(request.user))
    return chosen(request, setups, "setup"), setups


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    setup, setups = _setup(request)
    if request.GET.get("export") and queries.latest_day(setup):
        # The day shown, when the page asks for one; every day without.
        wanted = request.GET.get("day")
        day = queries.day_of(queries.computed_days(setup), wanted)[0] if wanted else None
        return _export(setup, day)
    return _dashboard(request, setup, setups)


def _dashboard(
    request: AuthedRequest, setup: IndexSetup, setups: list[IndexSetup], setup_form: SetupForm | None = None
) -> HttpResponse:
    """The page on the day asked for (`?day=`, the latest by default); with the method form as
    posted when it had errors (shown open, input kept)."""
    days = queries.computed_days(setup)
    day, set_aside = queries.day_of(days, request.GET.get("day"))
    manage = services.may_manage(request.user, setup.region)
    at = days.index(day) if day in days else 0
    context: dict[str, Any] = {
        "setup": setup,
        "setups": setups,
        "day": day,
        "days": days,
        "set_aside": request.GET.get("day") if set_aside else "",
        "later": days[at - 1] if day and at > 0 else None,
        "earlier": days[at + 1] if day and at + 1 < len(days) else None,
        "ranking": queries.ranking(setup, day) if day else [],
        "chart": queries.series(setup),  # json_script encodes them
        "heatmap": queries.heatmap(setup, day) if day else {},
        "can_manage": manage,
        "files": setup.files.order_by("kind", "first_day") if manage else [],
        "setup_form": setup_form or (SetupForm(instance=setup) if manage else None),
        "file_form": FileForm() if manage else None,
        "pending": services.days_to_compute(setup) if manage else None,
        "all_days": services.days_to_compute(setup, again=True) if manage and day else None,
    }
    return render(request, "resumption/dashboard.html", context, status=400 if setup_form is not None else 200)


def _export(setup: IndexSetup, day: date | None) -> HttpResponse:
    names = queries.county_names(setup)
    figures = setup.figures.filter(day=day) if day else setup.figures.all()
    rows = (
        {
            **{c.field: getattr(f, c.field) for c in EXPORT_COLUMNS},
            "day": f.day.isoformat(),
            "county": names.get(f.county, f.county),
            "index": round(f.index, 2),
            "account_ratio": round(f.account_ratio, 2),
            "consumption_ratio": round(f.consumption_ratio, 2),
            "index_year_before": round(f.index_year_before, 2) if f.index_year_before is not None else "",
        }
        for f in figures.order_by("day", "county", "industry")
    )
    body = write_workbook(_("Resumption index"), EXPORT_COLUMNS, rows)
    response = HttpResponse(body, content_type=EXPORT_CONTENT_TYPE)
    name = f"resumption-{setup.region.code}" + (f"-{day.isoformat()}" if day else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
@require_POST
def save_method(request: AuthedRequest) -> HttpResponse:
    setup, setups = _setup(request)
    require(services.may_manage(request.user, setup.region))
    form = SetupForm(request.POST, instance=IndexSetup.objects.get(pk=setup.pk))
    if form.is_valid():
        try:
            services.save_setup(request.user, setup.region, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
    if form.errors:
        return _dashboard(request, setup, setups, setup_form=form)
    messages.success(request, _("Saved. Compute again to apply the method to past days."))
    return redirect(f"{reverse('resumption:dashboard')}?setup={setup.pk}")


@login_required
@require_POST
def upload(request: AuthedRequest) -> HttpResponse:
    setup, _setups = _setup(request)
    require(services.may_manage(request.user, setup.region))
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file and what it holds."))
        return redirect(f"{reverse('resumption:dashboard')}?setup={setup.pk}")
    try:
        started = start_import(request.user, setup, form.cleaned_data["kind"], form.cleaned_data["file"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{reverse('resumption:dashboard')}?setup={setup.pk}")
    return _to_job(setup, started)


def _to_job(setup: IndexSetup, job: Job) -> HttpResponse:
    """Post/redirect/get: the job's page can be reloaded or bookmarked while it runs."""
    return redirect(f"{reverse('resumption:job', args=[job.pk])}?setup={setup.pk}")


@login_required
def job(request: AuthedRequest, job_id: int) -> HttpResponse:
    """An import or computation the person started, and how it went (every problem of a refused
    file by row and column)."""
    started = Job.objects.filter(pk=job_id, created_by=request.user, kind__startswith="resumption.").first()
    if started is None:  # someone else's job is not there for them, whatever they may read
        raise Http404
    setup, _setups = _setup(request)
    return render(request, "resumption/job.html", {"setup": setup, "job": started})


@login_required
@require_POST
def compute(request: AuthedRequest) -> HttpResponse:
    setup, _setups = _setup(request)
    require(services.may_manage(request.user, setup.region))
    return _to_job(setup, start_compute(request.user, setup, again=bool(request.POST.get("again"))))


NOT_RESUMED_LISTED = 300  # a phone's page; the notice goes to all of them


@login_required
def not_resumed(request: AuthedRequest) -> HttpResponse:
    """Enterprises not back on the last day: counts by county for everyone who reads the
    city; the names, with their suspension and a notice to send, for the power company's staff."""
    setup, setups = _setup(request)
    day = queries.day_of(queries.computed_days(setup), request.GET.get("day"))[0]
    rows = services.not_resumed(setup, day) if day else []
    names = queries.county_names(setup)
    by_county = Counter(names.get(row["county"], row["county"]) for row in rows)
    companies = [c for c in served_companies(request.user) if c.region.code.startswith(setup.region.prefix)]
    listed: list[dict[str, Any]] = []
    company = companies[0] if companies else None
    counts: dict[str, int] | None = None
    if company is not None:
        # Only the company's county: a province has far more enterprises than one list should hold.
        readings = {r["account_id"]: r for r in rows if r["county"].startswith(company.region.prefix)}
        accounts = PowerAccount.objects.filter(organisation=company, number__in=list(readings)).select_related("region")
        if request.method == "POST" and may_administer(request.user, company):
            template = notices.templates_for(company).filter(pk=request.POST.get("template") or 0).first()
            try:
                if template is None:
                    raise ValidationError(_("Choose the message."))
                sent = notices.send_to_accounts(
                    request.user, company, template, accounts, title=request.POST.get("title", "")
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return redirect("notify:broadcast", sent.pk)
        status = {a.account_id: a.get_status_display() for a in _current_applications(accounts)}
        matched = accounts.count()
        # The readings may name accounts the company's register does not have (a newer or older
        # register): say how many, so the list's length is not a mystery.
        counts = {"matched": matched, "unknown": len(readings) - matched, "limit": NOT_RESUMED_LISTED}
        for account in accounts.order_by("number")[:NOT_RESUMED_LISTED]:
            reading = readings[account.number]
            listed.append({"account": account, "baseline": reading["baseline"], "kwh": reading["kwh"],
                           "status": status.get(account.pk, "")})  # fmt: skip
    context = {
        "setup": setup,
        "setups": setups,
        "day": day,
        "total": len(rows),
        "by_county": by_county.most_common(),
        "company": company,
        "listed": listed,
        "counts": counts,
        "templates": notices.templates_for(company) if company and may_administer(request.user, company) else [],
    }
    return render(request, "resumption/not_resumed.html", context)


def _current_applications(accounts: Any) -> Any:
    return CapacityApplication.objects.filter(account__in=accounts, status__in=OPEN).order_by("account_id", "pk")
