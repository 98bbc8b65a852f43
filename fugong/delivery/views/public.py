"""Shops ask, Fugong answers: the public status page (no account)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fugong.core.http import client_ip

from ..forms import StatusForm
from ..services import tracking


def order_status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        address = client_ip(request)
        if tracking.blocked(form.cleaned_data["licence_number"], address):
            form.add_error(None, _("Too many tries. Please wait a quarter of an hour."))
        else:
            shop = tracking.find_shop(form.cleaned_data["licence_number"], form.cleaned_data["last_digits"], address)
            if shop is None:
                form.add_error(None, _("No shop matches this licence number and mobile."))
            else:
                context.update({"shop": shop, "states": tracking.states_of(shop)})
    return render(request, "delivery/status.html", context)
