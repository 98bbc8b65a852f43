"""The driver's phone: their route stop by stop, opened from the link in their message.
The next stop (the first not yet recorded and not held) is on top, big, with its cartons, the
shop's number to call and links that navigate there; the rest of the route is folded below.
The page works from what it loaded; actions queue on the phone and are sent (and resent)
to the API with an idempotency key until the server has them (delivery-run.js then brings the
following stop up)."""

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
    held = queries.held_stop_ids(route.plan)
    deliveries = [stop for stop in stops if not stop.is_reload]
    for number, stop in enumerate(deliveries, start=1):
        # The driver counts shops, not reloads: the 8th shop is 8 even after going back to load.
        setattr(stop, "number", number)  # noqa: B010 - a display attribute, not a model field
    for index, stop in enumerate(stops):
        if stop.is_reload:  # what to load for the trip that follows
            trip = next((s.load_on_arrival for s in stops[index + 1 :] if not s.is_reload), 0)
            setattr(stop, "to_load", trip)  # noqa: B010 - a display attribute, not a model field
    next_stop = next((s for s in deliveries if not s.completed_at and s.pk not in held), None)
    before = stops[stops.index(next_stop) - 1] if next_stop and stops.index(next_stop) > 0 else None
    context = {
        "route": route,
        "plan": route.plan,
        "stops": stops,
        "deliveries": len(deliveries),
        "next_stop": next_stop,
        "held_here": any(s.pk in held for s in deliveries if not s.completed_at),
        "reload_first": before if before and before.is_reload else None,
        "token": token,
        "early": handover.before_the_day(route),
        "held": held,
    }
    response = render(request, "delivery/run.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    return response
