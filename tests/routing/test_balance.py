"""The shortest day: a plan ends as early as the fleet allows, lent vehicles are called out
only when they bring the day forward, a working day has a limit, and a load bigger than the
lorry goes in as many trips as it needs."""

import dataclasses

import pytest

from fugong.routing.distances import straight_line
from fugong.routing.plan import Step, check, evaluate
from fugong.routing.problem import Place, Problem, Profile, Stop, VehicleGroup
from fugong.routing.solver import solve

from .test_solver import BAQIU, HOUR, shops

VAN = Profile("van", speed_kmh=35, road_factor=1.3)


def day(stop_count: int, fleet: list[VehicleGroup], *, balance: bool = True) -> Problem:
    """Shops close to the network point, ten minutes each: the day is mostly service time."""
    places = [BAQIU, *shops(stop_count)]
    stops = [Stop(p.key, i + 1, demand=10, window=(7 * HOUR, 20 * HOUR), service=600) for i, p in enumerate(places[1:])]
    return Problem(
        places, stops, fleet, straight_line(places, [VAN]), [VAN], all_required=False, duration_cost=1, balance=balance
    )


def van(key: str, *, reserve: bool = False, max_duration: int | None = None) -> VehicleGroup:
    return VehicleGroup(
        key,
        capacity=500,
        count=1,
        start=0,
        end=0,
        shift=(7 * HOUR, 20 * HOUR),
        reserve=reserve,
        max_duration=max_duration,
    )


def last_return(problem: Problem, seconds: float = 1.5) -> tuple[int, int]:
    plan = solve(problem, seconds=seconds, seed=1)
    assert plan.unserved == [] and check(problem, plan.routes) == []
    return max(r.end_time for r in plan.routes), len(plan.routes)


def test_the_day_is_shared_so_that_the_last_van_is_back_early() -> None:
    fleet = [van("van 1"), van("van 2"), van("van 3")]
    cheapest, _ = last_return(day(24, fleet, balance=False))
    shortest, routes = last_return(day(24, fleet))
    # 24 stops of ten minutes: four hours for one van, under two for three.
    assert cheapest >= 7 * HOUR + 4 * HOUR
    assert routes == 3 and shortest <= 7 * HOUR + 2 * HOUR
    assert shortest < cheapest


def test_a_lent_vehicle_is_called_out_only_when_it_brings_the_day_forward() -> None:
    # Three short stops: a lent van would save minutes, not half an hour.
    _, routes = last_return(day(3, [van("own"), van("lent", reserve=True)]))
    assert routes == 1
    # Twenty-four stops: lending halves a four-hour day.
    shortest, routes = last_return(day(24, [van("own"), van("lent", reserve=True)]))
    assert routes == 2 and shortest <= 7 * HOUR + 3 * HOUR


def test_no_route_works_longer_than_allowed_and_a_longer_one_is_flagged() -> None:
    problem = day(24, [van("van 1", max_duration=3 * HOUR), van("van 2", max_duration=3 * HOUR)])
    plan = solve(problem, seconds=1.5, seed=1)
    assert plan.unserved == [] and check(problem, plan.routes) == []
    assert all(r.end_time - r.start_time <= 3 * HOUR for r in plan.routes)
    everything = [Step(place=s.place, stop=i, amount=s.demand) for i, s in enumerate(problem.stops)]
    alone = evaluate(problem, 0, everything)
    assert [p.code for p in alone.problems] == ["too_long"]
    assert alone.problems[0].params["allowed"] == 3.0 and alone.problems[0].params["hours"] > 4


@pytest.mark.parametrize("seed", range(5))
def test_a_load_bigger_than_the_lorry_goes_in_two_trips_before_the_deadline(seed: int) -> None:
    """The trunk of the seed's day: 6,740 cartons for Baqiu on a 5,000-carton lorry."""
    depot, point = Place("峡江县局配送中转站", 115.2893, 27.6312), Place("巴邱网点", 115.3167, 27.5823)
    lorry = Profile("lorry", speed_kmh=45, road_factor=1.25)
    problem = Problem(
        [depot, point],
        [Stop("巴邱网点", 1, demand=6740, window=(5 * HOUR, 7 * HOUR), service=900)],
        [VehicleGroup("lorry", capacity=5000, count=1, start=0, end=0, shift=(5 * HOUR, 20 * HOUR), reload_at=(0,))],
        straight_line([depot, point], [lorry]),
        [lorry],
        all_required=False,
        duration_cost=1,
    )
    plan = solve(problem, seconds=5, seed=seed, iterations=300)
    assert plan.unserved == [] and check(problem, plan.routes) == []
    (route,) = plan.routes
    assert route.trips == 2
    assert max(v.start for v in route.served) <= 7 * HOUR


def test_the_shortest_day_splits_a_shop_bigger_than_any_vehicle() -> None:
    """A wholesale shop ordering more than a van carries shares its place among several loads."""
    fleet = [dataclasses.replace(van(f"van {n}"), reload_at=(0,)) for n in (1, 2)]
    problem = day(6, fleet)
    big = Stop("批发部", 1, demand=1200, window=(7 * HOUR, 20 * HOUR), service=600)
    problem = Problem(
        problem.places,
        [big, *problem.stops[1:]],
        problem.fleet,
        problem.travel,
        problem.profiles,
        all_required=False,
        duration_cost=1,
        balance=True,
    )
    plan = solve(problem, seconds=1, seed=1)
    assert plan.unserved == [] and check(problem, plan.routes) == []
    assert sorted(v.step.amount for r in plan.routes for v in r.served if v.step.stop == 0) == [200, 500, 500]
