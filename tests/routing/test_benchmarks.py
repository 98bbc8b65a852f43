"""`fugong solve_vrp` on each public instance (copied from shared/benchmarks/vrplib): the routes it
prints are checked here from the instance alone (every customer once, capacity, windows, fleet,
and the cost it claims). Each search runs a fixed number of iterations (about two seconds), so the
result does not depend on how busy the machine is (tests run in parallel); the guard on quality
is a loose 5%, and the 1% goal at 20 seconds is measured by `make bench` (benchmarks/routing.py)."""

import importlib
import itertools
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import time_machine

from fugong.routing import benchmarks
from fugong.routing.plan import Step, check, evaluate
from fugong.routing.solver import solve

INSTANCES = sorted(p for p in (Path(__file__).parent / "vrplib").iterdir() if p.suffix in {".vrp", ".txt"})


def test_the_readers_follow_each_conventions_rounding() -> None:
    cvrp = benchmarks.read(INSTANCES[0].with_name("X-n101-k25.vrp"))
    assert int(cvrp.problem.travel.distance[0][0, 1]) == 554  # sqrt(219² + 509²) = 554.11, rounded
    solomon = benchmarks.read(INSTANCES[0].with_name("C101.txt"))
    assert int(solomon.problem.travel.distance[0][0, 1]) == 186  # sqrt(5² + 18²) = 18.68, truncated: 18.6
    assert solomon.problem.stops[0].window == (9120, 9670) and solomon.problem.stops[0].service == 900


def solve_vrp(path: Path, *options: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "fugong", "solve_vrp", str(path), *options],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(run.stdout)


def test_the_search_stops_when_its_seconds_are_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan gets the seconds it is given, however busy the machine: on a clock that moves
    10 ms each time the search looks at it, three seconds are 300 looks (and the first, which
    starts the clock). Frozen wall time makes the budget exactly the three seconds asked for."""
    looks = itertools.count()
    clock = types.SimpleNamespace(perf_counter=lambda: next(looks) * 0.01)
    monkeypatch.setattr(importlib.import_module("pyvrp.stop.MaxRuntime"), "time", clock)
    instance = benchmarks.read(INSTANCES[0].with_name("X-n101-k25.vrp"))
    with time_machine.travel(0, tick=False):
        plan = solve(instance.problem, seconds=3, workers=1)
    assert 300 <= next(looks) - 1 <= 302
    assert plan.routes  # it returns the best plan found by then


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.stem)
def test_a_short_run_is_feasible_and_claims_its_true_cost(path: Path) -> None:
    answer = solve_vrp(path, "--seconds", "60", "--workers", "1", "--iterations", "3000")
    instance, best = benchmarks.read(path), benchmarks.best_known(path)
    assert answer["instance"] == instance.name and answer["feasible"] is True

    stop_of = {number: index for index, number in enumerate(instance.numbers)}
    problem = instance.problem
    routes = [
        evaluate(
            problem, 0, [Step(problem.stops[stop_of[n]].place, stop_of[n], problem.stops[stop_of[n]].demand) for n in r]
        )
        for r in answer["routes"]
    ]
    assert check(problem, routes) == []  # each customer once, in full, within capacity, windows and fleet
    cost = sum(r.distance for r in routes) / instance.scale
    assert cost == pytest.approx(answer["cost"], abs=0.05)
    assert best is not None and cost <= best * 1.05
