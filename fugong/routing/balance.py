"""The shortest day: after a first plan, narrow the latest return every vehicle must keep
(halving the gap between what is certainly too early and what has been achieved) as long as
every carton served before is still served. The last return comes down first; the search's
own objective (distance and working time) then decides among plans that end as early."""

from concurrent.futures import Executor

import pyvrp

from .search import Progress, search

FIRST_SHARE = 0.4  # of the time budget, for the first plan; the rest is shared by the rounds
ROUNDS = 4
ENOUGH_SECONDS = 10 * 60  # stop narrowing when what is left to gain is under ten minutes
# A lent vehicle is called out only when it brings the last return forward by half an hour.
RESERVE_WORTH_SECONDS = 30 * 60


def served(solution: pyvrp.Solution) -> int:
    return sum(sum(route.delivery()) for route in solution.routes())


def last_return(solution: pyvrp.Solution) -> int:
    return max((route.end_time() for route in solution.routes()), default=0)


def _reserves_used(solution: pyvrp.Solution, reserve: set[int]) -> int:
    return sum(1 for route in solution.routes() if route.vehicle_type() in reserve)


def _lower_bound(data: pyvrp.ProblemData) -> int:
    """A return no plan can beat: the earliest start plus the larger of the longest single
    visit (there and back with its service) and the whole service time shared by every vehicle."""
    types = data.vehicle_types()
    start = min(t.tw_early for t in types)
    vehicles = max(1, sum(t.num_available for t in types))
    service = sum(c.service_duration for c in data.clients())
    depots = data.depots()
    longest = 0
    for client in data.clients():  # matrices are indexed by location, not by client or depot
        fastest = min(
            data.duration_matrix(t.profile)[depots[t.start_depot].location, client.location]
            + data.duration_matrix(t.profile)[client.location, depots[t.end_depot].location]
            for t in types
        )
        longest = max(longest, fastest + client.service_duration)
    return int(start + max(longest, service // vehicles))


def _within(data: pyvrp.ProblemData, latest: int) -> pyvrp.ProblemData:
    types = []
    for t in data.vehicle_types():
        late = max(t.tw_early, min(t.tw_late, latest))
        types.append(t.replace(tw_late=late, start_late=min(t.start_late, late)))
    return data.replace(vehicle_types=types)


def _rebuilt(data: pyvrp.ProblemData, solution: pyvrp.Solution) -> pyvrp.Solution:
    """The same routes as a solution of `data` (a warm start for the narrower problem)."""
    routes = []
    for route in solution.routes():
        inner = route.schedule()[1:-1]  # between leaving the start depot and coming back
        activities = [
            pyvrp.Activity(pyvrp.ActivityType.DEPOT if a.is_depot() else pyvrp.ActivityType.CLIENT, a.idx)
            for a in inner
        ]
        routes.append(pyvrp.Route(data, activities, route.vehicle_type()))
    return pyvrp.Solution(data, routes)


def _better(found: pyvrp.Solution, best: pyvrp.Solution, reserve: set[int]) -> bool:
    if not found.is_feasible() or served(found) < served(best):
        return False
    gained = last_return(best) - last_return(found)
    extra = _reserves_used(found, reserve) - _reserves_used(best, reserve)
    return gained > 0 and gained >= max(0, extra) * RESERVE_WORTH_SECONDS


def shortest_day(
    data: pyvrp.ProblemData,
    seconds: float,
    seed: int,
    *,
    pool: Executor | None,
    workers: int,
    progress: Progress | None,
    iterations: int | None,
    initial: pyvrp.Solution | None,
    reserve: set[int],
) -> pyvrp.Solution:
    """The plan that ends earliest among those found in `seconds`; `reserve` are the vehicle
    types called out only when they shorten the day by RESERVE_WORTH_SECONDS each."""
    round_share = (1 - FIRST_SHARE) / ROUNDS

    def report(base: float, share: float) -> Progress | None:
        return (lambda f: progress(base + share * f)) if progress else None

    best = search(
        data,
        seconds * FIRST_SHARE,
        seed,
        pool=pool,
        workers=workers,
        progress=report(0.0, FIRST_SHARE),
        iterations=iterations,
        initial=initial,
    )
    if not best.is_feasible() or not best.routes():
        return best
    low, high = _lower_bound(data), last_return(best)
    for number in range(ROUNDS):
        if high - low <= ENOUGH_SECONDS:
            break
        latest = (low + high) // 2
        narrower = _within(data, latest)
        found = search(
            narrower,
            seconds * round_share,
            seed + 1 + number,
            pool=pool,
            workers=workers,
            progress=report(FIRST_SHARE + number * round_share, round_share),
            iterations=iterations,
            initial=_rebuilt(narrower, best),
        )
        if _better(found, best, reserve):
            best, high = _rebuilt(data, found), last_return(found)
        else:
            low = latest
    return best
