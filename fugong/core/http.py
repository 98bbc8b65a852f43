"""Request types for views that only run for a signed-in user (login_required or API auth)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from fugong.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
