"""Notices to enterprise accounts picked by filters: preview first, then send."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from fugong.accounts.permissions import require
from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest

from ..access import may_administer
from ..forms import NoticeForm
from ..services import notices
from .office import company_of


@login_required
def compose(request: AuthedRequest) -> HttpResponse:
    """Filters and a template; "Preview" shows how many and the first message, "Send" queues."""
    company, companies = company_of(request)
    require(may_administer(request.user, company))
    form = NoticeForm(request.POST or None, company=company, templates=notices.templates_for(company))
    shown = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filters = notices.Filters(
            voltage=data["voltage"],
            industry=data["industry"],
            region_code=data["region_code"],
            supply_station=data["supply_station"],
            standing=data["standing"],
        )
        try:
            if request.POST.get("send"):
                broadcast = notices.send_notice(request.user, company, data["template"], filters, title=data["title"])
                messages.success(request, f"{broadcast.title}: {broadcast.total}")
                return redirect("notify:broadcast", broadcast.pk)
            shown = notices.preview(request.user, company, data["template"], filters)
        except ValidationError as error:
            apply_errors(form, error)
    context = {"company": company, "companies": companies, "form": form, "preview": shown}
    return render(request, "power/notices.html", context)
