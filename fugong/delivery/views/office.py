"""The bureau's office: the backlog by town, shops, and importing orders and shops."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fugong.accounts import exports
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest, chosen
from fugong.core.imports import start_import
from fugong.core.pinyin import normalise_query
from fugong.directory.models import Organisation, Site

from .. import queries
from ..forms import ShopForm, UploadForm
from ..models import Shop
from ..services import exchange, orders
from ..tasks import import_delivery_file


def bureau_of(request: AuthedRequest) -> tuple[Organisation, list[Organisation]]:
    """The bureau the page is about (?bureau=id, default the first the user runs)."""
    bureaus = list(queries.planned_organisations(request.user))
    return chosen(request, bureaus, "bureau"), bureaus


@login_required
def backlog(request: AuthedRequest) -> HttpResponse:
    bureau, bureaus = bureau_of(request)
    rows = queries.backlog_by_town(bureau)
    totals = queries.backlog_totals(rows)
    plans = queries.visible_plans(request.user).filter(organisation=bureau)[:5]
    context = {"bureau": bureau, "bureaus": bureaus, "rows": rows, "totals": totals, "plans": plans}
    return render(request, "delivery/backlog.html", context)


@login_required
def shops(request: AuthedRequest) -> HttpResponse:
    bureau, bureaus = bureau_of(request)
    query = request.GET.get("q", "").strip()
    qs = queries.visible_shops(request.user).filter(organisation=bureau)
    if query:
        qs = qs.filter(search_key__contains=normalise_query(query))
    if exports.is_export(request):
        return exports.workbook_response(
            request,
            title=_("Shops"),
            columns=exchange.SHOP_COLUMNS,
            rows=lambda full: exchange.shop_rows(qs, full_mobile=full),
            filename="shops",
            organisation=bureau,
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    may_export_full = exports.may_export_full(request.user, bureau)
    context = {"bureau": bureau, "bureaus": bureaus, "page": page, "q": query, "may_export_full": may_export_full}
    return render(request, "delivery/_shop_rows.html" if request.htmx else "delivery/shops.html", context)


@login_required
def shop_detail(request: AuthedRequest, shop_id: int) -> HttpResponse:
    shop = get_object_or_404(queries.visible_shops(request.user), pk=shop_id)
    sites = Site.objects.filter(organisation=shop.organisation, is_active=True)
    form = ShopForm(request.POST or None, instance=shop, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            orders.save_shop(request.user, shop.organisation, Shop.objects.get(pk=shop.pk), **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("delivery:shop", shop_id=shop.pk)
    listing = shop.orders.prefetch_related("lines").order_by("-placed_on")[:20]
    return render(request, "delivery/shop.html", {"shop": shop, "orders": listing, "form": form})


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    bureau, bureaus = bureau_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and form.is_valid():
        kind, file = form.cleaned_data["kind"], form.cleaned_data["file"]
        try:
            job = start_import(
                import_delivery_file,
                file,
                kind=f"delivery.import.{kind}",
                title=_("Import %(what)s from %(file)s")
                % {"what": dict(form.fields["kind"].choices)[kind], "file": file.name},  # type: ignore[attr-defined]
                user=request.user,
                args=(kind, bureau.pk),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = UploadForm()
    context: dict[str, Any] = {
        "bureau": bureau,
        "bureaus": bureaus,
        "form": form,
        "job": job,
        "columns": {"orders": exchange.ORDER_COLUMNS, "shops": exchange.SHOP_COLUMNS},
    }
    return render(request, "delivery/upload.html", context)
