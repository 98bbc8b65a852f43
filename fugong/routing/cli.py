"""`fugong solve_vrp PATH --seconds S [--seed N] [--workers W] [--iterations I]`: a public benchmark
instance through the same engine that plans deliveries; prints one JSON line. Needs no database or
settings."""

import argparse
import json
import os
import sys
import time

from . import benchmarks
from .solver import solve

STARTUP_ALLOWANCE = 0.5  # seconds for starting the worker processes and collecting their results


def solve_vrp(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="fugong solve_vrp",
        description="Solve a CVRPLIB (.vrp) or Solomon (.txt) instance; print cost, feasibility and routes as JSON.",
    )
    parser.add_argument("path")
    parser.add_argument("--seconds", type=float, required=True, help="time limit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel searches (default: cores)")
    parser.add_argument(
        "--iterations", type=int, help="stop each search after this many iterations instead (repeatable results)"
    )
    options = parser.parse_args(argv)
    try:
        instance = benchmarks.read(options.path)
    except (OSError, ValueError, KeyError) as error:
        print(f"{options.path}: {error}", file=sys.stderr)
        return 2
    began = time.perf_counter()
    # The time limit covers everything, starting the parallel searches included.
    budget = max(0.1, options.seconds - STARTUP_ALLOWANCE * (options.workers > 1))
    plan = solve(
        instance.problem, seconds=budget, seed=options.seed, workers=options.workers, iterations=options.iterations
    )
    line = {
        "instance": instance.name,
        "cost": round(plan.distance / instance.scale, 1),
        "feasible": plan.feasible,
        "routes": [[instance.numbers[v.step.stop] for v in r.served] for r in plan.routes],  # type: ignore[index]
        "seconds": round(time.perf_counter() - began, 2),
    }
    print(json.dumps(line, ensure_ascii=False))
    return 0
