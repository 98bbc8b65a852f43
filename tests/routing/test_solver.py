"""The solver's plans, checked with the engine's own arithmetic (plan.check), never with the
solver's word for it."""

import numpy as np

from fugong.routing.diagnosis import diagnose
from fugong.routing.distances import straight_line
from fugong.routing.plan import check
from fugong.routing.problem import UNLIMITED, Place, Problem, Profile, Stop, VehicleGroup
from fugong.routing.solver import solve

HOUR = 3600
BAQIU = Place("巴邱网点", 115.1670, 27.5620)


def shops(count: int) -> list[Place]:
    rng = np.random.default_rng(7)
    return [
        Place(f"店{i}", 115.1670 + rng.uniform(-0.03, 0.03), 27.5620 + rng.uniform(-0.03, 0.03)) for i in range(count)
    ]


def make(stops: list[Stop], fleet: list[VehicleGroup], places: list[Place], *, all_required: bool = False) -> Problem:
    profiles = [Profile("e_tricycle", speed_kmh=20, road_factor=1.4), Profile("van", speed_kmh=35, road_factor=1.3)]
    return Problem(places, stops, fleet, straight_line(places, profiles), profiles, all_required=all_required)


def test_every_shop_is_served_within_capacity_windows_and_shifts() -> None:
    places = [BAQIU, *shops(30)]
    stops = [
        Stop(
            p.key,
            i + 1,
            demand=8 + i % 5,
            window=(7 * HOUR, 20 * HOUR) if i % 3 else (9 * HOUR, 12 * HOUR),
            service=300,
        )
        for i, p in enumerate(places[1:])
    ]
    fleet = [
        VehicleGroup(
            "e_tricycle", capacity=60, count=3, start=0, end=0, shift=(7 * HOUR, 20 * HOUR), profile=0, reload_at=(0,)
        ),
        VehicleGroup("van", capacity=150, count=1, start=0, end=0, shift=(7 * HOUR, 20 * HOUR), profile=1),
    ]
    problem = make(stops, fleet, places)
    plan = solve(problem, seconds=2)
    assert plan.unserved == []
    assert check(problem, plan.routes) == []
    assert plan.feasible
    for route in plan.routes:
        for visit in route.served:
            window = stops[visit.step.stop].window  # type: ignore[index]
            assert window[0] <= visit.start <= window[1]


def test_an_order_bigger_than_any_vehicle_goes_in_several_visits() -> None:
    places = [BAQIU, *shops(2)]
    stops = [Stop("大店", 1, demand=130), Stop("小店", 2, demand=10)]
    fleet = [VehicleGroup("e_tricycle", capacity=50, count=2, start=0, end=0, reload_at=(0,))]
    problem = make(stops, fleet, places, all_required=True)
    plan = solve(problem, seconds=1)
    assert plan.unserved == [] and check(problem, plan.routes) == []
    assert sorted(v.step.amount for r in plan.routes for v in r.served if v.step.stop == 0) == [30, 50, 50]


def test_what_cannot_be_served_is_listed_with_what_to_change() -> None:
    places = [BAQIU, *shops(6)]
    stops = [Stop(p.key, i + 1, demand=20) for i, p in enumerate(places[1:])]
    stops[0] = Stop(places[1].key, 1, demand=20, window=(6 * HOUR, 6 * HOUR + 60))  # before anyone starts
    fleet = [VehicleGroup("van", capacity=80, count=1, start=0, end=0, shift=(7 * HOUR, 20 * HOUR), profile=1)]
    problem = make(stops, fleet, places)
    findings = {f.code: f.params for f in diagnose(problem)}
    assert findings["unreachable"]["stop"] == places[1].key
    assert findings["fleet_too_small"] == {"capacity": 80, "ordered": 120}
    plan = solve(problem, seconds=1)
    assert 0 in plan.unserved
    assert sum(v.step.amount for r in plan.routes for v in r.served) == 80  # a full van, nothing more
    assert check(problem, plan.routes) == []


def test_no_vehicles_is_said_plainly() -> None:
    places = [BAQIU, *shops(1)]
    problem = make([Stop("店0", 1, demand=5)], [], places)
    assert [f.code for f in diagnose(problem)] == ["no_fleet"]


def test_unlimited_vehicles_make_the_day_capacity_open() -> None:
    places = [BAQIU, *shops(3)]
    fleet = [VehicleGroup("van", capacity=10, count=UNLIMITED, start=0, end=0, profile=1)]
    problem = make([Stop(p.key, i + 1, demand=10) for i, p in enumerate(places[1:])], fleet, places)
    assert diagnose(problem) == []
    assert len(solve(problem, seconds=0.5).routes) == 3


def test_parallel_searches_report_progress_and_agree_with_the_checker() -> None:
    places = [BAQIU, *shops(12)]
    stops = [Stop(p.key, i + 1, demand=10, service=120) for i, p in enumerate(places[1:])]
    fleet = [VehicleGroup("e_tricycle", capacity=40, count=4, start=0, end=0, shift=(7 * HOUR, 20 * HOUR))]
    problem = make(stops, fleet, places, all_required=True)
    seen: list[float] = []
    plan = solve(problem, seconds=1.5, workers=2, progress=seen.append)
    assert seen and 0 <= seen[0] <= seen[-1] <= 1
    assert plan.feasible and plan.unserved == [] and check(problem, plan.routes) == []
