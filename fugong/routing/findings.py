"""What is wrong with a problem or a plan, as codes with values: the platform words them in the
user's language, the command line in English."""

from dataclasses import dataclass, field
from typing import Any

ENGLISH = {
    "overload": "{vehicle}, trip {trip}: {load} cartons on a vehicle that carries {capacity}",
    "late": "{stop}: the vehicle arrives at {at} but the window closes at {closes}",
    "wrong_place": "{stop}: served somewhere else than its place",
    "not_a_reload_site": "{vehicle}: reloads where it may not",
    "overtime": "{vehicle}: back at {at}, after the shift ends at {ends}",
    "too_long": "{vehicle}: a working day of {hours} h, {allowed} h allowed",
    "too_many_reloads": "{vehicle}: {trips} reloads, {allowed} allowed",
    "too_many_vehicles": "{vehicle}: {used} routes but {count} vehicles",
    "over_delivered": "{stop}: {delivered} cartons delivered, {ordered} ordered",
    "short": "{stop}: {delivered} of {ordered} cartons delivered",
    "unreachable": "{stop}: no vehicle can get there in its window (earliest {at}, closes {closes});"
    " widen the window or start a vehicle earlier",
    "fleet_too_small": "the fleet carries at most {capacity} cartons in the day but {ordered} are ordered;"
    " add vehicles or allow reloads",
    "no_fleet": "there are stops to serve but no vehicles",
    "straight_line": "{places}: too far from the roads of the graph; travel to and from there is the"
    " straight line times the road factor",
}


def clock(seconds: int) -> str:
    """Seconds after midnight as HH:MM (past midnight shows as 24:10, 25:00, ...)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        values = {
            k: clock(v) if k in {"at", "closes", "ends"} else ", ".join(v) if isinstance(v, list) else v
            for k, v in self.params.items()
        }
        return ENGLISH[self.code].format(**values)
