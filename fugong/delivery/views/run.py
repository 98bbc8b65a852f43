"""The driver's phone: their route stop by stop, opened from the link in their message.
The page works from what it loaded; actions queue on the phone and are sent (and resent)
to the API with an idempotency key until the server has them."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import queries
from ..services import dispatch, handover


def run(request: HttpRequest, token: str) -> HttpResponse:
    try:
        route = dispatch.read_route_token(token)
    except PermissionDenied as denied:
        return render(request, "delivery/run_invalid.html", {"message": str(denied)}, status=403)
    stops = list(queries.stops_of(route))
    context = {
        "route": route,
        "plan": route.plan,
        "stops": stops,
        "token": token,
        "early": handover.before_the_day(route),
        "held": queries.held_stop_ids(route.plan),
    }
    response = render(request, "delivery/run.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    return response
