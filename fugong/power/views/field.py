"""Field work on the phone: the restorations a worker is sent to, with the enterprise's number
to call and "supply restored" at the meter (the same service as the application page). The
number is in full on the orders a worker is sent to; "all open restorations" shows it masked."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fugong.accounts.permissions import require
from fugong.core.http import AuthedRequest

from .. import queries
from ..access import served_companies


@login_required
def field_work(request: AuthedRequest) -> HttpResponse:
    companies = served_companies(request.user)
    require(bool(companies))
    everyone = request.GET.get("all") == "1"
    orders = queries.open_field_orders(companies, worker=None if everyone else request.user)
    context = {"orders": orders, "everyone": everyone, "today": timezone.localdate()}
    return render(request, "power/field.html", context)
