"""Times and loads of a route worked out by hand, and what a hand edit breaks."""

import numpy as np

from fugong.routing.plan import Step, check, evaluate
from fugong.routing.problem import Place, Problem, Stop, Travel, VehicleGroup

# A depot and three shops on a line, 600 s (and 3 km) apart each.
PLACES = [Place("depot", 0, 0), Place("A", 1, 0), Place("B", 2, 0), Place("C", 3, 0)]
METRES = np.array([[abs(i - j) * 3000 for j in range(4)] for i in range(4)], dtype=np.int64)
SECONDS = METRES // 5


def problem(**vehicle: object) -> Problem:
    stops = [
        Stop("A", 1, demand=30, window=(8 * 3600, 9 * 3600), service=300),
        Stop("B", 2, demand=20, window=(7 * 3600, 8 * 3600 + 1200), service=300),
        Stop("C", 3, demand=40, service=600),
    ]
    group = {"key": "tricycle", "capacity": 60, "count": 1, "start": 0, "end": 0, "shift": (7 * 3600, 12 * 3600)}
    group.update(vehicle)
    return Problem(PLACES, stops, [VehicleGroup(**group)], Travel([METRES], [SECONDS]))  # type: ignore[arg-type]


def test_times_and_loads_along_a_route() -> None:
    route = evaluate(problem(), 0, [Step(1, 0, 30), Step(2, 1, 20)])
    # Leaves at 07:50 so as to reach A as it opens at 08:00; 5 min there, 10 min to B.
    assert route.start_time == 7 * 3600 + 3000
    assert [(v.arrival, v.start, v.departure, v.load) for v in route.visits] == [
        (28800, 28800, 29100, 50),
        (29700, 29700, 30000, 20),
    ]
    assert route.end_time == 30000 + 1200
    assert route.distance == 3000 + 3000 + 6000
    assert route.problems == []


def test_a_hand_edit_that_breaks_a_window_and_the_capacity_is_reported() -> None:
    edited = evaluate(problem(), 0, [Step(1, 0, 30), Step(3, 2, 40), Step(2, 1, 20)])
    codes = {f.code: f.params for f in edited.problems}
    assert codes["overload"]["load"] == 90
    assert codes["late"]["stop"] == "B"
    assert str(edited.problems[0]).startswith("tricycle, trip 1: 90 cartons")


def test_a_reload_splits_the_load_into_trips() -> None:
    route = evaluate(problem(reload_at=(0,)), 0, [Step(1, 0, 30), Step(2, 1, 20), Step(0), Step(3, 2, 40)])
    assert route.problems == []
    assert route.trips == 2
    assert [v.load for v in route.visits] == [50, 20, 0, 40]


def test_check_finds_stops_served_short_or_twice_and_too_many_vehicles() -> None:
    p = problem()
    one = evaluate(p, 0, [Step(1, 0, 30), Step(2, 1, 20)])
    two = evaluate(p, 0, [Step(1, 0, 30)])
    codes = sorted(f.code for f in check(p, [one, two]))
    assert codes == ["over_delivered", "short", "too_many_vehicles"]
