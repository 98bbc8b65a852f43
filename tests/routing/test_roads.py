"""Road distances through OSRM on a town written for the test: a river crossed only at one
bridge, and a one-way street."""

from pathlib import Path

import numpy as np
import pytest

from fugong.routing.diagnosis import diagnose
from fugong.routing.distances import straight_line
from fugong.routing.problem import Place, Problem, Profile, Stop, VehicleGroup
from fugong.routing.roads import is_prepared, prepare, road_travel

from .town import IN_THE_HILLS, NORTH_BANK, ONE_WAY_END, ONE_WAY_START, SOUTH_BANK, write_town

VAN = Profile("van", speed_kmh=35, road_factor=1.3)
TRICYCLE = Profile("tricycle", speed_kmh=10, road_factor=1.4, network="bicycle")


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roads")
    extract = write_town(folder / "town.osm.pbf")
    prepare(extract, folder / "graph")
    return folder / "graph"


def test_the_river_is_crossed_at_the_bridge(graph: Path) -> None:
    places = [NORTH_BANK, SOUTH_BANK]
    crow = straight_line(places, [Profile("crow", road_factor=1.0)]).distance[0][0, 1]
    travel = road_travel(places, [VAN, TRICYCLE], graph)
    for distance in travel.distance:
        assert distance[0, 1] >= 3 * crow
        assert distance[1, 0] >= 3 * crow
    assert travel.estimated == ()
    assert is_prepared(graph, "car") and is_prepared(graph, "bicycle")


def test_a_one_way_street_is_longer_back(graph: Path) -> None:
    travel = road_travel([ONE_WAY_START, ONE_WAY_END], [VAN], graph)
    there, back = travel.distance[0][0, 1], travel.distance[0][1, 0]
    assert 350 <= there <= 450  # along the street
    assert back >= there + 400  # round the back lane, 200 m down and 200 m up
    assert travel.duration[0][1, 0] > travel.duration[0][0, 1]


def test_tricycles_take_their_own_speed(graph: Path) -> None:
    slow, fast = TRICYCLE, Profile("e-tricycle", speed_kmh=20, road_factor=1.4, network="bicycle")
    travel = road_travel([NORTH_BANK, SOUTH_BANK], [slow, fast], graph)
    assert travel.distance[0][0, 1] == travel.distance[1][0, 1]
    assert travel.duration[0][0, 1] == pytest.approx(2 * travel.duration[1][0, 1], rel=0.01)


def test_a_place_far_from_the_roads_keeps_the_straight_line(graph: Path) -> None:
    places = [NORTH_BANK, SOUTH_BANK, IN_THE_HILLS]
    travel = road_travel(places, [VAN], graph)
    crow = straight_line(places, [VAN])
    assert travel.estimated == ("in-the-hills",)
    np.testing.assert_array_equal(travel.distance[0][2], crow.distance[0][2])
    np.testing.assert_array_equal(travel.distance[0][:, 2], crow.distance[0][:, 2])
    np.testing.assert_array_equal(travel.duration[0][:, 2], crow.duration[0][:, 2])
    assert travel.distance[0][0, 1] > 3 * crow.distance[0][0, 1] / VAN.road_factor  # the others by road


def test_a_network_not_prepared_is_the_straight_line_for_all(tmp_path: Path) -> None:
    places = [NORTH_BANK, SOUTH_BANK]
    travel = road_travel(places, [VAN], tmp_path)
    crow = straight_line(places, [VAN])
    np.testing.assert_array_equal(travel.distance[0], crow.distance[0])
    assert travel.estimated == ("north-bank", "south-bank")


def test_a_graph_osrm_cannot_read_is_the_straight_line(tmp_path: Path) -> None:
    (tmp_path / "car").mkdir()
    for suffix in (".mldgr", ".properties"):
        (tmp_path / "car" / f"roads.osrm{suffix}").write_bytes(b"not a graph")
    travel = road_travel([NORTH_BANK, SOUTH_BANK], [VAN], tmp_path)
    assert travel.estimated == ("north-bank", "south-bank")


def test_one_place_needs_no_table(graph: Path) -> None:
    travel = road_travel([Place("alone", 115.001, 27.002)], [VAN], graph)
    assert travel.distance[0].tolist() == [[0]]


def test_the_plan_names_the_stops_left_on_the_straight_line(graph: Path) -> None:
    places = [NORTH_BANK, SOUTH_BANK, IN_THE_HILLS]
    problem = Problem(
        places=places,
        stops=[Stop("Shop across the river", 1, 5), Stop("Farm shop", 2, 5)],
        fleet=[VehicleGroup("van", capacity=100, count=1, start=0, end=0)],
        travel=road_travel(places, [VAN], graph),
        profiles=[VAN],
    )
    (finding,) = [f for f in diagnose(problem) if f.code == "straight_line"]
    assert finding.params == {"places": ["Farm shop"]}
    assert str(finding).startswith("Farm shop: too far from the roads")
