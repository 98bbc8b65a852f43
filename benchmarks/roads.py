"""Road distances: the all-pairs table of 200 places by road (OSRM, multi-level Dijkstra) on a
generated grid town of 60 x 60 streets (about 12 km square), for a van (car network) and a
tricycle (bicycle network), next to the straight line for the same places in the same run.
Also prints how long preparing the graph took (once per extract, never at plan time).

Run: `make bench` (or `uv run python benchmarks/roads.py [--places 200] [--grid 60]`).
Target: both 200-place tables in under 5 s, a small part of a plan's search time (the plan runs
as a background task). OSRM's many-to-many on MLD grows with the number of places: a known
trade-off of MLD against contraction hierarchies, which prepare far slower (on this grid
`osrm-contract` had not finished after 13 minutes on a busy 2-core machine).
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fugong.routing import roads
from fugong.routing.distances import straight_line
from fugong.routing.problem import Place, Profile
from fugong.routing.roads import prepare, road_travel
from tests.routing.town import write_grid

PROFILES = [
    Profile("van", speed_kmh=35, road_factor=1.3),
    Profile("tricycle", speed_kmh=10, road_factor=1.4, network="bicycle"),
]
SPACING = 0.002  # degrees between streets, about 200 m


def timed(work: object, repeat: int = 3) -> float:
    """Median seconds of `repeat` runs of `work()`."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()  # type: ignore[operator]
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--grid", type=int, default=60)
    options = parser.parse_args()
    rng = random.Random(20)
    span = (options.grid - 1) * SPACING
    places = [
        Place(f"shop-{i}", 115.0 + rng.uniform(0, span), 27.0 + rng.uniform(0, span)) for i in range(options.places)
    ]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        extract = write_grid(folder / "grid.osm.pbf", options.grid, spacing=SPACING)
        began = time.perf_counter()
        prepare(extract, folder / "graph")
        prepared = time.perf_counter() - began
        road_travel(places, PROFILES, folder / "graph")  # loads the graphs
        fresh = timed(lambda: (roads._table.cache_clear(), road_travel(places, PROFILES, folder / "graph")))
        travel = road_travel(places, PROFILES, folder / "graph")
        kept = timed(lambda: road_travel(places, PROFILES, folder / "graph"))
    crow = timed(lambda: straight_line(places, PROFILES))
    detour = float(
        (travel.distance[0].sum()) / straight_line(places, [Profile("crow", road_factor=1)]).distance[0].sum()
    )
    print(f"road distances, {options.places} places on a {options.grid} x {options.grid} street grid, van and tricycle")
    print(f"  preparing the graph (both networks, once per extract) {prepared:8.2f} s")
    print(f"  tables by road, both networks (median of 3)         {fresh * 1000:8.1f} ms")
    print(f"  the same places asked again (kept tables)           {kept * 1000:8.1f} ms")
    print(f"  straight line, the same places                      {crow * 1000:8.1f} ms")
    print(f"  road / straight line time: {fresh / crow:.0f}x; road / straight distance: {detour:.2f}")
    print(f"  places left on the straight line: {len(travel.estimated)}")
    print("target (tables under 5 s, a background plan's budget):", "met" if fresh < 5.0 else "NOT MET")


if __name__ == "__main__":
    main()
