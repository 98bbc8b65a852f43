"""Solving a Problem with PyVRP's iterated local search under a time limit, on several cores
when asked (independent runs with their own seeds; the best plan wins)."""

import math
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp.search import PerturbationParams
from pyvrp.stop import MaxIterations, MaxRuntime

from .diagnosis import diagnose
from .plan import Plan, Step, check, delivered, evaluate
from .problem import UNLIMITED, Problem

NO_RELOAD_LIMIT = pyvrp.VehicleType().max_reloads  # PyVRP's own "as many as you like"
Progress = Callable[[float], None]  # fraction of the time limit spent

# Parallel searches differ in their kicks as well as their seeds: small kicks (up to 10 moves)
# suit runs of seconds on capacity-tight instances (X-n200-k36 in 20 s on 2 cores: 0.3-0.45% from
# the best known, against 0.8% with up to 5 moves and 1-2% with the default), PyVRP's default
# (up to 25) does better on others (X-n153-k22: 0.6-0.85%).
PORTFOLIO = [
    pyvrp.SolveParams(perturbation=PerturbationParams(min_perturbations=1, max_perturbations=10)),
    pyvrp.SolveParams(),
]


@dataclass(frozen=True)
class _Chunk:
    stop: int
    amount: int


def _chunks(problem: Problem) -> list[_Chunk]:
    """An order larger than the biggest vehicle is carried in several visits."""
    biggest = max((g.capacity for g in problem.fleet), default=0)
    chunks = []
    for index, stop in enumerate(problem.stops):
        left = stop.demand
        while left > biggest > 0:
            chunks.append(_Chunk(index, biggest))
            left -= biggest
        chunks.append(_Chunk(index, left))
    return chunks


def _prize(problem: Problem) -> int:
    """Worth more than any detour, so a stop is left out only when it cannot be served."""
    longest = max(int(m.max()) for m in problem.travel.distance)
    slowest = max(int(m.max()) for m in problem.travel.duration)
    return min(4 * (longest + problem.duration_cost * slowest) + 1, pyvrp.constants.MAX_VALUE // 4)


def _data(problem: Problem, chunks: list[_Chunk]) -> tuple[pyvrp.ProblemData, list[int]]:
    depot_places = sorted({p for g in problem.fleet for p in (g.start, g.end, *g.reload_at)})
    depot_of = {place: index for index, place in enumerate(depot_places)}
    prize = 0 if problem.all_required else _prize(problem)
    clients = []
    for chunk in chunks:
        stop = problem.stops[chunk.stop]
        clients.append(
            pyvrp.Client(
                location=stop.place,
                delivery=[chunk.amount],
                service_duration=stop.service,
                tw_early=stop.window[0],
                tw_late=stop.window[1],
                required=problem.all_required,
                prize=prize,
                name=stop.key,
            )
        )
    vehicle_types = []
    for group in problem.fleet:
        count = _unlimited_count(problem, group.capacity, len(chunks)) if group.count == UNLIMITED else group.count
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=count,
                capacity=[group.capacity],
                start_depot=depot_of[group.start],
                end_depot=depot_of[group.end],
                fixed_cost=group.fixed_cost,
                tw_early=group.shift[0],
                tw_late=group.shift[1],
                unit_distance_cost=1,
                unit_duration_cost=problem.duration_cost,
                profile=group.profile,
                reload_depots=[depot_of[p] for p in group.reload_at],
                max_reloads=NO_RELOAD_LIMIT if group.max_reloads == UNLIMITED else group.max_reloads,
                name=group.key,
            )
        )
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(p.x, p.y, name=p.key) for p in problem.places],
        clients=clients,
        depots=[pyvrp.Depot(location=place) for place in depot_places],
        vehicle_types=vehicle_types,
        # PyVRP's stubs spell the matrices' type in a way numpy's own types never match.
        distance_matrices=[np.asarray(m, dtype=np.int64) for m in problem.travel.distance],  # type: ignore[misc]
        duration_matrices=[np.asarray(m, dtype=np.int64) for m in problem.travel.duration],  # type: ignore[misc]
    )
    return data, depot_places


def _unlimited_count(problem: Problem, capacity: int, chunks: int) -> int:
    """Enough vehicles for any sensible plan: a quarter more than the load needs, plus two.
    (Offering hundreds of empty vehicles only slows the search down.)"""
    total = sum(s.demand for s in problem.stops)
    return min(chunks, math.ceil(1.25 * total / max(capacity, 1)) + 2)


def _run(data: pyvrp.ProblemData, seed: int, deadline: float, iterations: int | None = None) -> pyvrp.Solution:
    """One independent search until `deadline` (a time.time() instant, so that it holds across
    processes), or for a number of iterations (the same result however busy the machine is),
    with the portfolio's settings for its seed."""
    stop = MaxIterations(iterations) if iterations else MaxRuntime(max(0.0, deadline - time.time()))
    params = PORTFOLIO[seed % len(PORTFOLIO)]
    return pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, params=params).best


def _cost(solution: pyvrp.Solution) -> tuple[bool, int]:
    """Feasible first, then cheapest: the order in which runs are compared."""
    cost = solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost()
    return not solution.is_feasible(), cost + solution.uncollected_prizes()


def _search(
    data: pyvrp.ProblemData,
    seconds: float,
    seed: int,
    workers: int,
    progress: Progress | None,
    iterations: int | None = None,
) -> pyvrp.Solution:
    deadline = time.time() + seconds
    if workers <= 1 and progress is None:
        return _run(data, seed, deadline, iterations)
    # Fresh interpreters: forking a process that runs threads (a web worker) is unsafe.
    with ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_run, data, seed + n, deadline, iterations) for n in range(max(1, workers))]
        while wait(futures, timeout=0.5).not_done:
            if progress is not None:
                progress(min(1.0, 1 - (deadline - time.time()) / max(seconds, 1e-9)))
        return min((f.result() for f in futures), key=_cost)


def solve(
    problem: Problem,
    *,
    seconds: float,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    iterations: int | None = None,
) -> Plan:
    """The best plan found in `seconds` by `workers` independent searches (or, given
    `iterations`, after that many steps of each search, whatever the time)."""
    began = time.perf_counter()
    notes = diagnose(problem)
    if not problem.stops:
        return Plan([], [], 0, True, 0.0, notes)
    chunks = _chunks(problem)
    data, depot_places = _data(problem, chunks)
    best = _search(data, seconds, seed, workers, progress, iterations)
    routes = []
    for found in best.routes():
        steps = []
        for activity in found.schedule()[1:-1]:  # between leaving the start and coming back
            if activity.is_depot():
                steps.append(Step(place=depot_places[activity.idx]))
            else:
                chunk = chunks[activity.idx]
                steps.append(Step(place=problem.stops[chunk.stop].place, stop=chunk.stop, amount=chunk.amount))
        routes.append(evaluate(problem, found.vehicle_type(), steps))
    amounts = delivered(problem, routes)
    unserved = [i for i, stop in enumerate(problem.stops) if amounts[i] < stop.demand]
    feasible = best.is_feasible() and not check(problem, routes)
    distance = sum(r.distance for r in routes)
    return Plan(routes, unserved, distance, feasible, time.perf_counter() - began, notes)
