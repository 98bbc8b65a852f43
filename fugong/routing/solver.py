"""Solving a Problem: the engine's stops and fleet as PyVRP's data, a first plan to start from
where the search needs one, the search itself (or the shortest day, see balance), and PyVRP's
answer back as the engine's routes."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyvrp

from .balance import shortest_day
from .diagnosis import diagnose
from .plan import Plan, Step, check, delivered, evaluate
from .problem import UNLIMITED, Problem
from .search import Progress, processes, search

NO_RELOAD_LIMIT = pyvrp.VehicleType().max_reloads  # PyVRP's own "as many as you like"
UNLIMITED_DURATION = pyvrp.VehicleType().shift_duration


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
    worth = _prize(problem)
    prize = 0 if problem.all_required else worth
    # A lent vehicle costs about one long detour: never a stop left out, but not called out
    # to save a few metres.
    reserve_cost = worth // 4
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
                fixed_cost=group.fixed_cost or (reserve_cost if group.reserve else 0),
                shift_duration=UNLIMITED_DURATION if group.max_duration is None else group.max_duration,
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


def _first_fit(data: pyvrp.ProblemData) -> pyvrp.Solution:
    """Full loads in trips, vehicle after vehicle, ignoring time: where a stop is split into
    several loads, the search alone rarely adds the trips that bring the rest (a lorry's second
    run to a network point), but it keeps them once it starts from them."""
    amounts = [client.delivery[0] for client in data.clients()]
    clients = list(range(data.num_clients))
    routes = []
    for index, vehicle in enumerate(data.vehicle_types()):
        for _ in range(vehicle.num_available):
            if not clients:
                break
            activities: list[pyvrp.Activity] = []
            load, trips = 0, 0
            while clients:
                amount = amounts[clients[0]]
                if load + amount > vehicle.capacity[0]:
                    if not vehicle.reload_depots or trips >= vehicle.max_reloads or not activities:
                        break
                    activities.append(pyvrp.Activity(pyvrp.ActivityType.DEPOT, vehicle.reload_depots[0]))
                    load, trips = 0, trips + 1
                activities.append(pyvrp.Activity(pyvrp.ActivityType.CLIENT, clients.pop(0)))
                load += amount
            if activities:
                routes.append(pyvrp.Route(data, activities, index))
    return pyvrp.Solution(data, routes)


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
    initial = _first_fit(data) if len(chunks) > len(problem.stops) else None
    run: Callable[..., pyvrp.Solution] = search
    if problem.balance:
        run = partial(shortest_day, reserve={i for i, group in enumerate(problem.fleet) if group.reserve})
    with processes(workers, progress) as pool:
        best = run(
            data, seconds, seed, pool=pool, workers=workers, progress=progress, iterations=iterations, initial=initial
        )
    routes = []
    for found in best.routes():
        steps = []
        for activity in found.schedule()[1:-1]:  # between leaving the start and coming back
            if activity.is_depot():
                steps.append(Step(place=depot_places[activity.idx]))
            else:
                chunk = chunks[activity.idx]
                steps.append(Step(place=problem.stops[chunk.stop].place, stop=chunk.stop, amount=chunk.amount))
        routes.append(evaluate(problem, found.vehicle_type(), steps, depart=found.start_time()))
    amounts = delivered(problem, routes)
    unserved = [i for i, stop in enumerate(problem.stops) if amounts[i] < stop.demand]
    feasible = best.is_feasible() and not check(problem, routes)
    distance = sum(r.distance for r in routes)
    return Plan(routes, unserved, distance, feasible, time.perf_counter() - began, notes)
