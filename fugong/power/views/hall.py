"""The service hall: numbers at the door, the window console, the hall and window screens,
and the visitor's own number on their phone."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fugong.accounts.permissions import require
from fugong.core.http import AuthedRequest
from fugong.directory.models import Site
from fugong.screening.models import CheckIn, Decision
from fugong.screening.services.checkins import is_current

from .. import queries
from ..access import may_administer, may_serve
from ..forms import TicketForm, WindowForm
from ..models import BusinessKind, Ticket, Window
from ..services import hall


def _hall(request: AuthedRequest, site_id: int) -> Site:
    return get_object_or_404(queries.hall_sites(request.user), pk=site_id)


@login_required
def hall_page(request: AuthedRequest, site_id: int) -> HttpResponse:
    """The supervisor's view: windows, queue, the door's ticket form, today's and the week's figures."""
    site = _hall(request, site_id)
    serve = may_serve(request.user, site.organisation)
    today = timezone.localdate()
    context = {
        "site": site,
        "state": queries.hall_state(site),
        "today": queries.day_figures(site, today),
        "week": queries.week_figures(site, today - timedelta(days=1)),
        "can_serve": serve,
        "can_administer": may_administer(request.user, site.organisation),
        "ticket_form": TicketForm(initial={"nonce": uuid.uuid4().hex}) if serve else None,
        "window_form": WindowForm(),
        "admitted": _admitted_waiting(site) if serve else [],
        "screens_door": hall.screens_door(site),
        "screen_link": hall.screen_link(site),
    }
    return render(request, "power/hall.html", context)


def _admitted_waiting(site: Site) -> list[CheckIn]:
    """Today's admitted visitors without a number yet, newest first: the door staff pick one."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    recent = CheckIn.objects.filter(venue__site=site, at__gte=start, final_decision=Decision.ADMIT)
    return list(recent.exclude(tickets__day=timezone.localdate()).order_by("-at")[:12])


@login_required
@require_POST
def take(request: AuthedRequest, site_id: int) -> HttpResponse:
    """Door staff give an admitted visitor a number."""
    site = _hall(request, site_id)
    require(may_serve(request.user, site.organisation))
    form = TicketForm(request.POST)
    if form.is_valid():
        checkin = None
        if form.cleaned_data["checkin"]:
            checkin = CheckIn.objects.filter(venue__site=site, pk=form.cleaned_data["checkin"]).first()
        try:
            ticket, _created = hall.take_ticket(
                request.user,
                site,
                form.cleaned_data["kind"],
                checkin=checkin,
                priority=form.cleaned_data["priority"],
                nonce=form.cleaned_data["nonce"],
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Number %(code)s given.") % {"code": ticket.code})
    else:
        messages.error(request, _("Choose what the visitor came for."))
    return redirect("power:hall", site.pk)


@login_required
@require_POST
def window_save(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _hall(request, site_id)
    require(may_administer(request.user, site.organisation))
    form = WindowForm(request.POST)
    if form.is_valid():
        existing = Window.objects.filter(site=site, number=form.cleaned_data["number"]).first()
        try:
            hall.save_window(request.user, site, window=existing, **form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Saved."))
    return redirect("power:hall", site.pk)


@login_required
@require_POST
def renew_screen(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _hall(request, site_id)
    hall.renew_screen_link(request.user, site)
    messages.success(request, _("The hall screen has a new link: open it on the TV. The old link no longer opens."))
    return redirect("power:hall", site.pk)


@login_required
def window_console(request: AuthedRequest, window_id: int) -> HttpResponse:
    """The window's own page: call next, call again, served, did not come."""
    # Windows of the halls the user reads: another company's answers 404, as if there were none.
    windows = Window.objects.filter(site__in=queries.hall_sites(request.user))
    window = get_object_or_404(windows.select_related("site__organisation"), pk=window_id)
    require(may_serve(request.user, window.site.organisation))
    if request.method == "POST":
        _window_action(request, window)
        if not request.htmx:
            return redirect("power:window", window.pk)
    state = queries.hall_state(window.site)
    context = {
        "window": window,
        "current": hall.current_ticket(window),
        "waiting": sum(state.waiting[k] for k in window.kinds),
        "state": state,
        "kinds": [BusinessKind(k).label for k in window.kinds],
    }
    return render(request, "power/_window.html" if request.htmx else "power/window.html", context)


def _window_action(request: AuthedRequest, window: Window) -> None:
    action = request.POST.get("action")
    current = hall.current_ticket(window)
    try:
        if action == "next":
            called = hall.call_next(request.user, window)
            if called is None:
                messages.info(request, _("Nobody is waiting for this window."))
        elif current is not None and action == "recall":
            hall.recall(request.user, current)
        elif current is not None and action in {"served", "no_show"}:
            hall.finish(request.user, current, served=action == "served")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)


@never_cache
def screen(request: HttpRequest, token: str) -> HttpResponse:
    """The hall's TV (or, with ?window=2, the display above a window): refreshes itself."""
    try:
        site = hall.read_screen_token(token)
    except PermissionDenied as denied:
        response = render(request, "screening/visit_invalid.html", {"message": str(denied)}, status=403)
        if request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"  # a TV refreshing a renewed link reloads and stops, not freezes
        return response
    number = request.GET.get("window", "")
    window = Window.objects.filter(site=site, number=number).first() if number.isdigit() else None
    context = {
        "site": site,
        "token": token,
        "state": queries.hall_state(site),
        "window": window,
        "current": hall.current_ticket(window) if window else None,
    }
    partial = "power/_screen.html" if request.headers.get("HX-Request") else "power/screen.html"
    return render(request, partial, context)


@never_cache
def take_after_checkin(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """From the admission result on the visitor's phone: choose the business, get a number."""
    record = get_object_or_404(CheckIn.objects.select_related("venue__site__organisation"), public_id=public_id)
    site = record.venue.site
    usable = record.final_decision == Decision.ADMIT and is_current(record) and hall.is_hall(site)
    form = TicketForm(request.POST or None, initial={"nonce": uuid.uuid4().hex})
    if usable and request.method == "POST" and form.is_valid():
        try:
            ticket, _created = hall.take_ticket(
                None, site, form.cleaned_data["kind"], checkin=record, nonce=form.cleaned_data["nonce"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("power:ticket", ticket.public_id)
    context = {"record": record, "site": site, "usable": usable, "form": form, "kinds": _open_kinds(site)}
    return render(request, "power/take.html", context)


def _open_kinds(site: Site) -> list[tuple[str, str]]:
    taken = {kind for window in site.windows.filter(is_open=True) for kind in window.kinds}
    return [(value, str(label)) for value, label in BusinessKind.choices if value in taken]


@never_cache
def ticket_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The visitor's number, how many are ahead, and the window when called."""
    ticket = get_object_or_404(Ticket.objects.select_related("site", "window"), public_id=public_id)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            hall.cancel(ticket)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("power:ticket", ticket.public_id)
    # Where this business is done, so that the visitor knows where to look before being called.
    windows = [
        w for w in Window.objects.filter(site=ticket.site, is_open=True).order_by("number") if ticket.kind in w.kinds
    ]
    context = {"ticket": ticket, "ahead": hall.waiting_before(ticket), "windows": windows}
    partial = "power/_ticket.html" if request.headers.get("HX-Request") else "power/ticket.html"
    return render(request, partial, context)
