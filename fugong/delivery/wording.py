"""The routing engine's findings and the planner's own, in the user's language."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fugong.routing.findings import clock

TEXTS = {
    "overload": _("%(vehicle)s, trip %(trip)s: %(load)s cartons on a vehicle that carries %(capacity)s"),
    "late": _("%(stop)s: the vehicle arrives at %(at)s but the shop receives goods only until %(closes)s"),
    "wrong_place": _("%(stop)s: served somewhere else than its place"),
    "not_a_reload_site": _("%(vehicle)s: reloads where it may not"),
    "overtime": _("%(vehicle)s: back at %(at)s, after it is available until %(ends)s"),
    "too_long": _("%(vehicle)s: a working day of %(hours)s h, longer than the %(allowed)s h allowed"),
    "too_many_reloads": _("%(vehicle)s: %(trips)s reloads, %(allowed)s allowed"),
    "too_many_vehicles": _("%(vehicle)s: %(used)s routes but %(count)s vehicles"),
    "over_delivered": _("%(stop)s: %(delivered)s cartons delivered, %(ordered)s ordered"),
    "short": _("%(stop)s: %(delivered)s of %(ordered)s cartons delivered"),
    "unreachable": _(
        "%(stop)s: no vehicle can get there in time (earliest %(at)s, receives goods until %(closes)s); "
        "widen the shop's hours or start a vehicle earlier"
    ),
    "fleet_too_small": _(
        "The fleet carries at most %(capacity)s cartons in the day but %(ordered)s are ordered; "
        "add vehicles or allow reloads"
    ),
    "no_fleet": _("There are deliveries but no vehicles: add vehicles to the plan"),
    "not_planned": _("%(stop)s: %(cartons)s cartons not planned today"),
    "no_free_vehicle": _("%(hub)s: no vehicle left to plan with (none added, or all on locked routes)"),
    "straight_line": _(
        "%(places)s: not found on the road map (too far from any road); travel to and from there is "
        "estimated from the straight line, check the location"
    ),
}
TIMES = {"at", "closes", "ends"}


def describe(finding: dict[str, Any]) -> str:
    params = {
        k: clock(v) if k in TIMES and isinstance(v, int) else "、".join(map(str, v)) if isinstance(v, list) else v
        for k, v in finding.get("params", {}).items()
    }
    text = TEXTS.get(finding.get("code", ""))
    if text is None:
        return str(finding.get("code", ""))
    try:
        return str(text) % params
    except (KeyError, TypeError):
        return str(finding.get("code", ""))
