"""Running PyVRP's iterated local search under a time limit, on several cores when asked
(independent runs with their own seeds and kicks; the best plan wins)."""

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, wait
from contextlib import contextmanager

import pyvrp
from pyvrp.search import PerturbationParams
from pyvrp.stop import MaxIterations, MaxRuntime

Progress = Callable[[float], None]  # fraction of the time limit spent

# Parallel searches differ in their kicks as well as their seeds: small kicks (up to 10 moves)
# suit runs of seconds on capacity-tight instances (X-n200-k36 in 20 s on 2 cores: 0.3-0.45% from
# the best known, against 0.8% with up to 5 moves and 1-2% with the default), PyVRP's default
# (up to 25) does better on others (X-n153-k22: 0.6-0.85%).
PORTFOLIO = [
    pyvrp.SolveParams(perturbation=PerturbationParams(min_perturbations=1, max_perturbations=10)),
    pyvrp.SolveParams(),
]


def _run(
    data: pyvrp.ProblemData,
    seed: int,
    deadline: float,
    iterations: int | None,
    initial: pyvrp.Solution | None,
) -> pyvrp.Solution:
    """One independent search until `deadline` (a time.time() instant, so that it holds across
    processes), or for a number of iterations (the same result however busy the machine is),
    with the portfolio's settings for its seed, from `initial` when given."""
    stop = MaxIterations(iterations) if iterations else MaxRuntime(max(0.0, deadline - time.time()))
    params = PORTFOLIO[seed % len(PORTFOLIO)]
    result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, params=params, initial_solution=initial)
    return result.best


def rank(solution: pyvrp.Solution) -> tuple[bool, int]:
    """Feasible first, then cheapest: the order in which runs are compared."""
    cost = solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost()
    return not solution.is_feasible(), cost + solution.uncollected_prizes()


@contextmanager
def processes(workers: int, progress: Progress | None) -> Iterator[Executor | None]:
    """A pool for parallel searches (None: search in this process). Fresh interpreters: forking
    a process that runs threads (a web worker) is unsafe. A pool that reports progress is used
    even for one search, so that this process stays free to report."""
    if workers <= 1 and progress is None:
        yield None
        return
    with ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def search(
    data: pyvrp.ProblemData,
    seconds: float,
    seed: int,
    *,
    pool: Executor | None,
    workers: int = 1,
    progress: Progress | None = None,
    iterations: int | None = None,
    initial: pyvrp.Solution | None = None,
) -> pyvrp.Solution:
    deadline = time.time() + seconds
    if pool is None:
        return _run(data, seed, deadline, iterations, initial)
    futures = [pool.submit(_run, data, seed + n, deadline, iterations, initial) for n in range(max(1, workers))]
    while wait(futures, timeout=0.5).not_done:
        if progress is not None:
            progress(min(1.0, 1 - (deadline - time.time()) / max(seconds, 1e-9)))
    return min((f.result() for f in futures), key=rank)
