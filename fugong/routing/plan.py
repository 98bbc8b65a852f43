"""Routes with their times and loads, worked out from the problem alone. The same arithmetic
serves the solver's output, a dispatcher's hand edits (move a stop, reorder) and the tests'
feasibility check, so nobody has to take the solver's word for a plan."""

from dataclasses import dataclass, field

from .findings import Finding
from .problem import Problem


@dataclass(frozen=True)
class Step:
    """One stop on a route (`stop` index, `amount` cartons; a large order may be split across
    visits), or a reload at a depot (`stop` is None, `place` is the depot)."""

    place: int
    stop: int | None = None
    amount: int = 0

    @property
    def is_reload(self) -> bool:
        return self.stop is None


@dataclass(frozen=True)
class Visit:
    step: Step
    arrival: int
    start: int  # service starts (after waiting for the window to open)
    departure: int
    load: int  # cartons on board when arriving
    trip: int  # 0 for the first load, 1 after the first reload, ...


@dataclass(frozen=True)
class Route:
    group: int  # index into Problem.fleet
    visits: list[Visit]
    start_time: int
    end_time: int
    distance: int
    problems: list[Finding] = field(default_factory=list)  # broken windows, overloads, overtime

    @property
    def served(self) -> list[Visit]:
        return [v for v in self.visits if not v.step.is_reload]

    @property
    def trips(self) -> int:
        return 1 + sum(1 for v in self.visits if v.step.is_reload)


@dataclass(frozen=True)
class Plan:
    routes: list[Route]
    unserved: list[int]  # stop indices not served (in full)
    distance: int
    feasible: bool
    seconds: float = 0.0
    notes: list[Finding] = field(default_factory=list)  # what to change, for a plan that cannot serve all


def _trip_loads(steps: list[Step]) -> list[int]:
    loads, current = [], 0
    for step in steps:
        if step.is_reload:
            loads.append(current)
            current = 0
        else:
            current += step.amount
    return [*loads, current]


def evaluate(problem: Problem, group_index: int, steps: list[Step], *, depart: int | None = None) -> Route:
    """Times and loads of a vehicle driving `steps` in order, leaving its start at `depart`
    (default: as its shift begins), waiting where it arrives early; with what breaks a rule."""
    group = problem.fleet[group_index]
    distance_m, duration_s = problem.travel.distance[group.profile], problem.travel.duration[group.profile]
    loads = _trip_loads(steps)
    problems = [
        Finding("overload", {"vehicle": group.key, "trip": n + 1, "load": load, "capacity": group.capacity})
        for n, load in enumerate(loads)
        if load > group.capacity
    ]
    if depart is None:  # leave so as to arrive as the first stop opens, not to wait there
        depart = group.shift[0]
        if steps and not steps[0].is_reload:
            opens = problem.stops[steps[0].stop].window[0]  # type: ignore[index]
            depart = max(depart, opens - int(duration_s[group.start, steps[0].place]))
    time = depart
    start_time, here, trip, on_board, distance = time, group.start, 0, loads[0], 0
    visits = []
    for step in steps:
        distance += int(distance_m[here, step.place])
        arrival = time + int(duration_s[here, step.place])
        if step.is_reload:
            if step.place not in group.reload_at:
                problems.append(Finding("not_a_reload_site", {"vehicle": group.key}))
            trip += 1
            visits.append(Visit(step, arrival, arrival, arrival, on_board, trip))
            on_board, time = loads[trip], arrival
        else:
            stop = problem.stops[step.stop]  # type: ignore[index]
            begin = max(arrival, stop.window[0])
            if begin > stop.window[1]:
                problems.append(Finding("late", {"stop": stop.key, "at": begin, "closes": stop.window[1]}))
            if stop.place != step.place:
                problems.append(Finding("wrong_place", {"stop": stop.key}))
            time = begin + stop.service
            visits.append(Visit(step, arrival, begin, time, on_board, trip))
            on_board -= step.amount
        here = step.place
    distance += int(distance_m[here, group.end])
    end_time = time + int(duration_s[here, group.end])
    if end_time > group.shift[1]:
        problems.append(Finding("overtime", {"vehicle": group.key, "at": end_time, "ends": group.shift[1]}))
    if group.max_duration is not None and end_time - start_time > group.max_duration:
        worked, allowed = (round(seconds / 3600, 1) for seconds in (end_time - start_time, group.max_duration))
        problems.append(Finding("too_long", {"vehicle": group.key, "hours": worked, "allowed": allowed}))
    if group.max_reloads >= 0 and trip > group.max_reloads:
        problems.append(
            Finding("too_many_reloads", {"vehicle": group.key, "trips": trip, "allowed": group.max_reloads})
        )
    return Route(group_index, visits, start_time, end_time, distance, problems)


def delivered(problem: Problem, routes: list[Route]) -> list[int]:
    """Cartons delivered to each stop by these routes."""
    amounts = [0] * len(problem.stops)
    for route in routes:
        for visit in route.served:
            amounts[visit.step.stop] += visit.step.amount  # type: ignore[index]
    return amounts


def check(problem: Problem, routes: list[Route]) -> list[Finding]:
    """Everything wrong with a set of routes: each route's own problems, more vehicles of a group
    than it has, a stop served twice or not in full."""
    found = [p for route in routes for p in route.problems]
    for index, group in enumerate(problem.fleet):
        used = sum(1 for r in routes if r.group == index)
        if group.count >= 0 and used > group.count:
            found.append(Finding("too_many_vehicles", {"vehicle": group.key, "used": used, "count": group.count}))
    for stop, amount in zip(problem.stops, delivered(problem, routes), strict=True):
        values = {"stop": stop.key, "delivered": amount, "ordered": stop.demand}
        if amount > stop.demand:
            found.append(Finding("over_delivered", values))
        elif problem.all_required and amount < stop.demand:
            found.append(Finding("short", values))
    return found
