"""Small OpenStreetMap files written with pyosmium, for the road-distance tests and benchmark.

The town (about 2 km across, at 115°E 27°N): a north street and a south street along a river that
only the bridge at the east end crosses, and on the south street a one-way stretch (eastbound)
whose way back goes round a back lane.

    N ====================================================== 2   north street (y 27.002)
      ~~~~~~~~~~~~~~~~~~~~~~~ river ~~~~~~~~~~~~~~~~~~~~~~ ‖   bridge (x 115.020)
    S ======== 5 ——one-way——> 6 ============================ 4   south street (y 27.000)
               |              |
               7 ============ 8                                 back lane (y 26.998)
"""

from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way

from fugong.routing.problem import Place

NORTH_Y, SOUTH_Y, LANE_Y = 27.002, 27.000, 26.998
WEST_X, ONE_WAY_FROM_X, ONE_WAY_TO_X, BRIDGE_X = 115.000, 115.005, 115.010, 115.020

# Facing each other across the river, near the west end: 180 m apart, 4 km by the bridge.
NORTH_BANK = Place("north-bank", 115.001, 27.0018)
SOUTH_BANK = Place("south-bank", 115.001, 27.0002)
# On the one-way stretch: east of each other, 400 m one way, round the back lane the other.
ONE_WAY_START = Place("one-way-start", 115.0055, 27.0001)
ONE_WAY_END = Place("one-way-end", 115.0095, 27.0001)
# Five kilometres from any road.
IN_THE_HILLS = Place("in-the-hills", 115.050, 27.050)


def write_town(path: Path) -> Path:
    nodes = {
        1: (WEST_X, NORTH_Y),
        2: (BRIDGE_X, NORTH_Y),
        3: (WEST_X, SOUTH_Y),
        4: (BRIDGE_X, SOUTH_Y),
        5: (ONE_WAY_FROM_X, SOUTH_Y),
        6: (ONE_WAY_TO_X, SOUTH_Y),
        7: (ONE_WAY_FROM_X, LANE_Y),
        8: (ONE_WAY_TO_X, LANE_Y),
        9: (WEST_X, 27.001),  # the river
        10: (BRIDGE_X + 0.005, 27.001),
    }
    street = {"highway": "residential"}
    ways = [
        ([1, 2], {**street, "name": "North Street"}),
        ([3, 5], {**street, "name": "South Street"}),
        ([5, 6], {**street, "name": "South Street", "oneway": "yes"}),
        ([6, 4], {**street, "name": "South Street"}),
        ([4, 2], {**street, "name": "Bridge", "bridge": "yes", "layer": "1"}),
        ([5, 7], {**street, "name": "West Lane"}),
        ([7, 8], {**street, "name": "Back Lane"}),
        ([8, 6], {**street, "name": "East Lane"}),
        ([9, 10], {"waterway": "river", "name": "River"}),
    ]
    _write(path, nodes, ways)
    return path


def write_grid(path: Path, size: int, *, spacing: float = 0.002) -> Path:
    """A `size` x `size` grid of residential streets, `spacing` degrees apart, from 115°E 27°N."""
    nodes = {}
    for row in range(size):
        for column in range(size):
            nodes[1 + row * size + column] = (115.0 + column * spacing, 27.0 + row * spacing)
    ways = []
    for line in range(size):
        ways.append(([1 + line * size + c for c in range(size)], {"highway": "residential"}))
        ways.append(([1 + r * size + line for r in range(size)], {"highway": "residential"}))
    _write(path, nodes, ways)
    return path


def _write(path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[list[int], dict[str, str]]]) -> None:
    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        for key, location in sorted(nodes.items()):
            writer.add_node(Node(id=key, location=location, version=1))
        for key, (refs, tags) in enumerate(ways, start=1):
            writer.add_way(Way(id=key, nodes=refs, tags=tags, version=1))
