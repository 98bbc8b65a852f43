"""Routing: every instance in ../shared/benchmarks/vrplib through `fugong solve_vrp`'s engine,
next to OR-Tools (guided local search) with the same time limit, in the same run. Prints per
instance our cost and gap to the best-known cost, OR-Tools' cost and gap, and the ratio of the
two gaps' costs (ours / OR-Tools').

Run: `make bench` (or `uv run --group bench python benchmarks/routing.py [--seconds 20]`).
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fugong.routing import benchmarks
from fugong.routing.problem import DAY, UNLIMITED, Problem
from fugong.routing.solver import solve

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks" / "vrplib"
INSTANCES = SHARED if SHARED.is_dir() else ROOT / "tests" / "routing" / "vrplib"  # the same files, copied


def ortools_cost(problem: Problem, seconds: float) -> float | None:
    """OR-Tools on the same matrices: capacity, time windows (Solomon), vehicle count."""
    group = problem.fleet[0]
    distance = np.asarray(problem.travel.distance[0])
    count = len(problem.stops) if group.count == UNLIMITED else group.count
    nodes = [group.start] + [s.place for s in problem.stops]
    manager = pywrapcp.RoutingIndexManager(len(nodes), count, 0)
    routing = pywrapcp.RoutingModel(manager)

    def travel(i: int, j: int) -> int:
        return int(distance[nodes[manager.IndexToNode(i)], nodes[manager.IndexToNode(j)]])

    transit = routing.RegisterTransitCallback(travel)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    demands = [0] + [s.demand for s in problem.stops]
    demand = routing.RegisterUnaryTransitCallback(lambda i: demands[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(demand, 0, [group.capacity] * count, True, "load")
    windows = any(s.window != (0, DAY) for s in problem.stops)  # Solomon's
    if windows:
        services = [0] + [s.service for s in problem.stops]
        timed = routing.RegisterTransitCallback(lambda i, j: travel(i, j) + services[manager.IndexToNode(i)])
        routing.AddDimension(timed, group.shift[1], group.shift[1], False, "time")
        clock = routing.GetDimensionOrDie("time")
        for node, stop in enumerate(problem.stops, start=1):
            clock.CumulVar(manager.NodeToIndex(node)).SetRange(*stop.window)
        for vehicle in range(count):
            clock.CumulVar(routing.Start(vehicle)).SetRange(*group.shift)
            clock.CumulVar(routing.End(vehicle)).SetRange(*group.shift)
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy
    # With time windows the cheapest arc often finds no first solution at all.
    params.first_solution_strategy = strategy.PARALLEL_CHEAPEST_INSERTION if windows else strategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    return None if solution is None else float(solution.ObjectiveValue())


def gap(cost: float | None, best: float) -> str:
    return "—" if cost is None else f"{100 * (cost - best) / best:5.2f}%"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    options = parser.parse_args()
    paths = sorted([*INSTANCES.glob("*.vrp"), *INSTANCES.glob("*.txt")])
    print(f"{'instance':<12} {'best':>9} {'ours':>9} {'gap':>7} {'OR-Tools':>9} {'gap':>7} {'ratio':>6}")
    for path in paths:
        instance, best = benchmarks.read(path), benchmarks.best_known(path)
        assert best is not None, path
        began = time.perf_counter()
        plan = solve(instance.problem, seconds=options.seconds, workers=os.cpu_count() or 1)
        ours = plan.distance / instance.scale if plan.feasible else math.nan
        reference = ortools_cost(instance.problem, options.seconds)
        theirs = None if reference is None else reference / instance.scale
        ratio = "—" if theirs is None else f"{ours / theirs:6.3f}"
        print(
            f"{instance.name:<12} {best:>9.1f} {ours:>9.1f} {gap(ours, best):>7} "
            f"{'—' if theirs is None else f'{theirs:9.1f}':>9} {gap(theirs, best):>7} {ratio:>6}"
            f"  ({time.perf_counter() - began:.0f} s){'  MISSES THE 1% GOAL' if ours > best * 1.01 else ''}"
        )


if __name__ == "__main__":
    main()
