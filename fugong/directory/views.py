from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts.permissions import require, scope_of
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest
from fugong.core.imports import start_import
from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE, write_workbook

from . import exchange, queries, services
from .forms import ChildRegionForm, ImportForm, OrganisationForm, SiteForm, ZoneStatusForm
from .models import Organisation, Region, Site, ZoneStatus
from .tasks import import_directory_file

MANAGERS = queries.ORGANISATION_BROWSERS
PAGE_SIZE = 50


def _page(request: AuthedRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _listing(request: AuthedRequest, template: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """Full page, or only the results table when htmx asks as the person types."""
    return render(request, partial if request.htmx else template, context)


@login_required
def regions(request: AuthedRequest) -> HttpResponse:
    require(scope_of(request.user).has_role(*MANAGERS))
    query = request.GET.get("q", "").strip()
    qs = queries.regions()
    own = queries.own_regions(request.user) if not scope_of(request.user).is_platform_admin else Region.objects.none()
    if query:
        qs = queries.search(qs, query)
    elif own.exists():  # a county's coordinator starts at their county, not at another province
        qs = own
    else:
        qs = qs.filter(level=Region.Level.CITY) | qs.filter(level=Region.Level.PROVINCE)
    context = {
        "page": _page(request, qs),
        "q": query,
        "can_import": scope_of(request.user).has_role("county_coordinator"),
        "scheduled": queries.scheduled_zone_changes(request.user)[:50],
        "may_withdraw": True,  # the list holds only changes in regions the user sets
    }
    return _listing(request, "directory/regions.html", "directory/_region_rows.html", context)


@login_required
def region_detail(request: AuthedRequest, code: str) -> HttpResponse:
    require(scope_of(request.user).has_role(*MANAGERS))
    region = get_object_or_404(queries.regions(), code=code)
    may_change = scope_of(request.user).covers_region(region.code)
    adding = request.method == "POST" and "add_child" in request.POST
    form = ZoneStatusForm(
        request.POST if request.method == "POST" and not adding else None, initial={"status": region.zone_status}
    )
    child_form = ChildRegionForm(request.POST if adding else None)
    if request.method == "POST":
        require(may_change)
        if adding and child_form.is_valid():
            try:
                child = services.save_region(request.user, parent=region, **child_form.cleaned_data)
            except ValidationError as error:
                apply_errors(child_form, error)
            else:
                messages.success(request, _("%(region)s added.") % {"region": child})
                return redirect("directory:region", code=region.code)
        elif not adding and form.is_valid():
            when = form.cleaned_data["effective_at"]
            change = services.set_zone_status(
                request.user, region, form.cleaned_data["status"], effective_at=when, note=form.cleaned_data["note"]
            )
            if when is None:
                messages.success(request, _("Lockdown status of %(region)s updated.") % {"region": region})
            else:
                messages.success(
                    request,
                    _("%(region)s will be %(status)s from %(time)s.")
                    % {
                        "region": region,
                        "status": change.get_status_display(),
                        "time": f"{timezone.localtime(when):%Y-%m-%d %H:%M}",
                    },
                )
            return redirect("directory:region", code=region.code)
    ancestors: list[Region] = []
    parent = region.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    context = {
        "region": region,
        "ancestors": ancestors,
        "children": region.children.all(),
        "history": region.zone_history.select_related("changed_by", "withdrawn_by")[:20],
        "scheduled": queries.scheduled_zone_changes_within(region),
        "now": timezone.now(),
        "effective_status": queries.effective_zone_status(region),
        "form": form,
        "child_form": child_form,
        "may_add_child": may_change and region.level < Region.Level.VILLAGE,
        "may_change": may_change,
        "may_withdraw": may_change,
    }
    return render(request, "directory/region_detail.html", context)


@login_required
@require_POST
def zone_change_withdraw(request: AuthedRequest, change_id: int) -> HttpResponse:
    change = get_object_or_404(queries.settable_zone_changes(request.user), pk=change_id)
    try:
        services.withdraw_zone_change(request.user, change)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The change of %(region)s to %(status)s is withdrawn.")
            % {"region": change.region, "status": change.get_status_display()},
        )
    if request.POST.get("back") == "regions":  # withdrawn from the list of changes due
        return redirect("directory:regions")
    return redirect("directory:region", code=change.region.code)


@login_required
def organisations(request: AuthedRequest) -> HttpResponse:
    require(queries.may_browse_organisations(request.user))
    query = request.GET.get("q", "").strip()
    qs = queries.search(queries.visible_organisations(request.user), query)
    scope = scope_of(request.user)
    context = {
        "page": _page(request, qs),
        "q": query,
        "can_create": bool(scope.region_prefixes) or scope.is_platform_admin,
    }
    return _listing(request, "directory/organisations.html", "directory/_organisation_rows.html", context)


@login_required
def organisation_detail(request: AuthedRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(queries.browsable_organisations(request.user), pk=org_id)
    context = {
        "org": org,
        "sites": queries.visible_sites(request.user).filter(organisation=org),
        "may_edit": queries.manageable_organisations(request.user).filter(pk=org.pk).exists(),
    }
    return render(request, "directory/organisation_detail.html", context)


@login_required
def organisation_edit(request: AuthedRequest, org_id: int | None = None) -> HttpResponse:
    org = get_object_or_404(queries.manageable_organisations(request.user), pk=org_id) if org_id else None
    if org is None:
        require(bool(scope_of(request.user).region_prefixes) or scope_of(request.user).is_platform_admin)
    form = OrganisationForm(request.POST or None, instance=org, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if org is None:
                org = services.create_organisation(request.user, **fields)
            else:
                org = services.update_organisation(request.user, Organisation.objects.get(pk=org.pk), **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("directory:organisation", org_id=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "org": org})


@login_required
def sites(request: AuthedRequest) -> HttpResponse:
    require(queries.may_browse_sites(request.user))
    query = request.GET.get("q", "").strip()
    qs = queries.search(queries.visible_sites(request.user), query)
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    context = {
        "page": _page(request, qs),
        "q": query,
        "kind": kind,
        "kinds": Site.Kind.choices,
        "can_create": queries.manageable_organisations(request.user).exists(),
        "may_export": queries.may_browse_organisations(request.user),  # the same people as export_file
    }
    return _listing(request, "directory/sites.html", "directory/_site_rows.html", context)


@login_required
def site_detail(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = get_object_or_404(queries.browsable_sites(request.user), pk=site_id)
    context = {
        "site": site,
        "may_edit": queries.manageable_sites(request.user).filter(pk=site.pk).exists(),
        "may_open_organisation": queries.may_browse_organisations(request.user),
        "effective_status": ZoneStatus(queries.effective_zone_status(site.region)),
    }
    return render(request, "directory/site_detail.html", context)


@login_required
def site_edit(request: AuthedRequest, site_id: int | None = None) -> HttpResponse:
    site = get_object_or_404(queries.manageable_sites(request.user), pk=site_id) if site_id else None
    if site is None:
        require(queries.manageable_organisations(request.user).exists())
    form = SiteForm(request.POST or None, instance=site, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if site is None:
                site = services.create_site(request.user, **fields)
            else:
                site = services.update_site(request.user, Site.objects.get(pk=site.pk), **fields)
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied:
            form.add_error("organisation", _("You may not manage this organisation's sites."))
        else:
            messages.success(request, _("Saved."))
            return redirect("directory:site", site_id=site.pk)
    return render(request, "directory/site_form.html", {"form": form, "site": site})


def _kind_label(kind: str) -> str:
    return {"regions": _("Regions"), "organisations": _("Organisations"), "sites": _("Sites")}[kind]


@login_required
def import_file(request: AuthedRequest, kind: str) -> HttpResponse:
    if kind not in exchange.IMPORTERS:
        raise Http404
    require(scope_of(request.user).has_role(*MANAGERS))
    form = ImportForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = start_import(
                import_directory_file,
                upload,
                kind=f"directory.import.{kind}",
                title=_("Import %(what)s from %(file)s") % {"what": _kind_label(kind), "file": upload.name},
                user=request.user,
                args=(kind,),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = ImportForm()
    columns = exchange.IMPORTERS[kind][0]
    context = {"form": form, "kind": kind, "kind_label": _kind_label(kind), "columns": columns, "job": job}
    return render(request, "directory/import.html", context)


@login_required
def export_file(request: AuthedRequest, kind: str) -> HttpResponse:
    require(scope_of(request.user).has_role(*MANAGERS))
    if kind == "regions":
        data = write_workbook(_("Regions"), exchange.REGION_COLUMNS, exchange.region_rows(queries.regions()))
    elif kind == "organisations":
        data = write_workbook(
            _("Organisations"),
            exchange.ORGANISATION_COLUMNS,
            exchange.organisation_rows(queries.visible_organisations(request.user)),
        )
    elif kind == "sites":
        data = write_workbook(
            _("Sites"), exchange.SITE_COLUMNS, exchange.site_rows(queries.visible_sites(request.user))
        )
    else:
        raise Http404
    response = HttpResponse(data, content_type=EXPORT_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="fugong-{kind}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
