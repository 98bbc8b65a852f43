"""Before solving: what in the problem makes a full plan impossible, said as what to change."""

from .findings import Finding
from .problem import UNLIMITED, Problem


def diagnose(problem: Problem) -> list[Finding]:
    if problem.stops and not problem.fleet:
        return [Finding("no_fleet")]
    findings = [f for index in range(len(problem.stops)) if (f := _unreachable(problem, index))]
    ordered = sum(s.demand for s in problem.stops)
    capacity = _day_capacity(problem)
    if capacity is not None and ordered > capacity:
        findings.append(Finding("fleet_too_small", {"capacity": capacity, "ordered": ordered}))
    if estimated := _estimated(problem):
        findings.append(estimated)
    return findings


def _estimated(problem: Problem) -> Finding | None:
    """The places of this problem that a road graph left on the straight line, named by their
    stops (or, for a vehicle's start, end or reload site, by the place)."""
    names = []
    for index, place in enumerate(problem.places):
        if place.key not in problem.travel.estimated:
            continue
        stops = [s.key for s in problem.stops if s.place == index]
        visited = any(index in (g.start, g.end, *g.reload_at) for g in problem.fleet)
        names += stops or ([place.key] if visited else [])
    return Finding("straight_line", {"places": names}) if names else None


def _unreachable(problem: Problem, index: int) -> Finding | None:
    """A stop no vehicle reaches before its window closes and still gets home within its shift."""
    stop, earliest = problem.stops[index], None
    for group in problem.fleet:
        duration = problem.travel.duration[group.profile]
        arrival = group.shift[0] + int(duration[group.start, stop.place])
        done = max(arrival, stop.window[0]) + stop.service
        if arrival <= stop.window[1] and done + int(duration[stop.place, group.end]) <= group.shift[1]:
            return None
        earliest = arrival if earliest is None else min(earliest, arrival)
    return Finding("unreachable", {"stop": stop.key, "at": earliest or 0, "closes": stop.window[1]})


def _day_capacity(problem: Problem) -> int | None:
    """Cartons the fleet can carry in the day; None when unlimited vehicles or reloads make it
    depend on the routes."""
    total = 0
    for group in problem.fleet:
        if group.count == UNLIMITED or (group.reload_at and group.max_reloads == UNLIMITED):
            return None
        trips = 1 + (group.max_reloads if group.reload_at else 0)
        total += group.capacity * group.count * trips
    return total
