"""The visitor's side: the page a venue code opens, and the result screen shown at the door."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from fugong.core.forms import apply_errors
from fugong.core.http import client_ip

from .. import rules
from ..forms import CheckInForm
from ..models import Channel, CheckIn
from ..next_steps import next_steps
from ..services import checkins, policies, venues


def _invalid(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    context = {"message": message, "busy": status == 429}
    return render(request, "screening/visit_invalid.html", context, status=status)


@never_cache
def visit(request: HttpRequest, token: str) -> HttpResponse:
    """Scan, identify, answer, see the decision. No account needed."""
    try:
        venue = venues.read_venue_token(token)
    except PermissionDenied as denied:
        return _invalid(request, str(denied))
    policy = policies.in_force(venue.site)
    form = CheckInForm(request.POST or None, policy=policy) if policy else None
    busy = ""
    if form is not None and request.method == "POST" and form.is_valid():
        address = client_ip(request)
        try:
            try:
                record, _created = checkins.check_in(
                    None,
                    venue,
                    form.visitor(),
                    form.answers(),
                    channel=Channel.PHONE,
                    nonce=form.cleaned_data["nonce"],
                    address=address,
                )
            except checkins.NonceConflict:
                # The page was reused (Back) for another person: a new check-in, not a resend.
                record, _created = checkins.check_in(
                    None,
                    venue,
                    form.visitor(),
                    form.answers(),
                    channel=Channel.PHONE,
                    nonce=uuid.uuid4().hex,
                    address=address,
                )
        except checkins.TooManyCheckIns:
            # The form comes back as typed (its nonce too): the visitor waits and presses again.
            busy = checkins.too_many_check_ins()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("screening:result", record.public_id)
    rules_in_words = [rules.describe(c) for c in policy.checks.all()] if policy else []
    context = {
        "venue": venue,
        "policy": policy,
        "form": form,
        "rules": rules_in_words,
        "retention_days": settings.RETENTION_DAYS["checkins"],
        "busy": busy,
    }
    return render(request, "screening/visit.html", context, status=429 if busy else 200)


@never_cache
def result(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Big colour, time and site, readable at a glance from a step away. Only today's counts."""
    record = get_object_or_404(CheckIn.objects.select_related("venue__site"), public_id=public_id)
    context = {
        "record": record,
        "current": checkins.is_current(record),
        "failed": rules.reasons(record.results),
        "waiting": record.decision == "refer" and record.resolved_at is None,
        "next_visit": reverse("screening:visit", args=[venues.venue_token(record.venue)])
        if record.venue.is_active
        else "",
        "next_steps": next_steps(record) if record.final_decision == "admit" and checkins.is_current(record) else [],
    }
    template = "screening/_result_card.html" if request.headers.get("HX-Request") else "screening/result.html"
    return render(request, template, context)
