"""Plans on a road graph (ROUTING_GRAPH, prepared by `fugong prepare_roads`), and on the straight
line when none is set or the folder is not prepared."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fugong.delivery import legs, wording
from fugong.delivery.models import DeliveryPlan, Shop
from fugong.delivery.services import fleet, planning
from fugong.delivery.travel import road_graph, travel
from fugong.delivery.views.routes_map import OSM_CREDIT, map_data
from fugong.directory.models import Organisation, Site
from fugong.routing.distances import straight_line
from fugong.routing.problem import Place

from ..routing.town import NORTH_BANK, SOUTH_BANK, write_town


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roads")
    call_command("prepare_roads", str(write_town(folder / "town.osm.pbf")), "--out", str(folder / "graph"))
    return folder / "graph"


def baqiu_plan(bureau: Organisation) -> DeliveryPlan:
    plan = planning.create_plan(
        None, bureau, day=timezone.localdate(), network_points=[Site.objects.get(name="巴邱网点")], search_seconds=1
    )
    fleet.take_suggested_fleet(None, plan)
    return plan


def move(where: Site | Shop, place: Place) -> None:
    type(where).objects.filter(pk=where.pk).update(longitude=place.x, latitude=place.y)


def test_a_plan_travels_by_road_and_names_the_shops_off_the_map(
    bureau: Organisation, settings: Any, graph: Path
) -> None:
    settings.ROUTING_GRAPH, settings.ROUTING_WORKERS = graph, 1
    hub = Site.objects.get(name="巴邱网点")
    plan = baqiu_plan(bureau)
    across = legs.backlog(plan).order_by("pk")[0].shop
    move(hub, NORTH_BANK)
    move(across, SOUTH_BANK)  # across the river from the network point; every other shop is off the map
    hub.refresh_from_db()
    planning.start_planning(None, plan)
    planning.run_plan(plan, keep_locked=False)
    plan.refresh_from_db()

    leg = legs.last_mile_leg(plan, hub)
    where = 1 + [s.pk for s in leg.destinations].index(across.pk)
    crow = straight_line([NORTH_BANK, SOUTH_BANK], leg.problem.profiles)
    for profile, distance in enumerate(leg.problem.travel.distance):
        assert distance[0, where] >= 3 * crow.distance[profile][0, 1]  # round by the bridge
    off_the_map = set(leg.problem.travel.estimated)
    assert hub.name not in off_the_map and across.licence_number not in off_the_map
    assert len(off_the_map) == len(leg.destinations) - 1

    finding = next(f for f in plan.findings if f["code"] == "straight_line")
    assert across.name not in finding["params"]["places"]
    assert len(finding["params"]["places"]) == len(leg.destinations) - 1
    assert "、".join(finding["params"]["places"][:2]) in wording.describe(finding)
    # The map credits OpenStreetMap beside the tiles' own credit, and only while on its roads.
    assert map_data(plan, [])["attribution"] == OSM_CREDIT
    settings.MAP_TILES, settings.MAP_TILE_URL = "custom", "https://tiles.example.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Tiles: the county"
    assert map_data(plan, [])["attribution"] == f"Tiles: the county | {OSM_CREDIT}"
    settings.ROUTING_GRAPH = None
    assert map_data(plan, [])["attribution"] == "Tiles: the county"


def test_no_graph_or_one_not_prepared_is_the_straight_line(settings: Any, tmp_path: Path) -> None:
    places = [NORTH_BANK, SOUTH_BANK]
    profiles = [fleet.PROFILES["van"], fleet.PROFILES["tricycle"]]  # type: ignore[index]
    for folder in (None, tmp_path):
        settings.ROUTING_GRAPH = folder
        assert road_graph() is None
        found, crow = travel(places, profiles), straight_line(places, profiles)
        for ours, theirs in zip(found.distance + found.duration, crow.distance + crow.duration, strict=True):
            np.testing.assert_array_equal(ours, theirs)
        assert found.estimated == ()


def test_prepare_roads_names_a_missing_extract(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("prepare_roads", str(tmp_path / "county.osm.pbf"), "--out", str(tmp_path / "roads"))
    assert not (tmp_path / "roads").exists()
