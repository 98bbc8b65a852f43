"""Travel on the roads of an OpenStreetMap extract, through OSRM (the osrm-bindings package).

A graph folder holds one graph per road network, prepared once per extract by `preparation`'s
steps (OSRM's multi-level Dijkstra pipeline: extract, partition, customize) and never at plan
time. Vans, cars and lorries drive the car network (one-way streets, turn restrictions, speeds
by road class and limit, from OSRM's car profile, as they are). Tricycles ride the bicycle
network: it keeps them off motorways and expressways, which the car network would send them
onto, and lets them through lanes closed to cars; its durations, at the bicycle profile's own
speed, are scaled to the kind's speed.

A place farther than `SNAP_LIMIT_M` from any road of a network (a shop whose pin is in a field,
a network point outside the extract), and a pair that the network does not connect, keep the
straight line of `distances.straight_line`; `Travel.estimated` names those places so the plan
can say so."""

import functools
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import osrm
from numpy.typing import NDArray

from .distances import straight_line
from .problem import Place, Profile, Travel

# Road network -> OSRM's Lua profile shipped with osrm-bindings.
NETWORKS = {"car": "car.lua", "bicycle": "bicycle.lua"}
# Speed at which a network's durations are computed, for the networks whose durations are scaled
# to the kind's own speed (bicycle.lua's default_speed); the car network's are kept as they are.
NETWORK_KMH = {"bicycle": 15.0}
SNAP_LIMIT_M = 500.0
PROFILES_DIR = Path(osrm.__file__).parent / "share" / "profiles"
GRAPH = "roads.osrm"
READY = ".mldgr"  # written by the last step, customize
log = logging.getLogger(__name__)


def graph_base(folder: Path, network: str) -> Path:
    return folder / network / GRAPH


def is_prepared(folder: Path, network: str = "car") -> bool:
    base = graph_base(folder, network)
    return base.with_name(GRAPH + READY).is_file()


def preparation(extract: Path, folder: Path, *, threads: int = 2) -> list[tuple[str, list[str]]]:
    """The commands that turn an .osm.pbf extract into a graph folder, each with what it does,
    to run one after another (`python -m osrm ...`, as osrm-bindings ships the tools)."""
    steps = []
    for network, profile in NETWORKS.items():
        base, tool, threaded = str(graph_base(folder, network)), [sys.executable, "-m", "osrm"], ["-t", str(threads)]
        lua = str(PROFILES_DIR / profile)
        steps += [
            (f"{network}: extract", [*tool, "extract", "-p", lua, *threaded, str(extract), "-o", base]),
            (f"{network}: partition", [*tool, "partition", *threaded, base]),
            (f"{network}: customize", [*tool, "customize", *threaded, base]),
        ]
    return steps


def prepare(extract: Path, folder: Path, *, threads: int = 2, say: Callable[[str], None] | None = None) -> None:
    """Run `preparation`'s steps, saying each before it starts; a failing step raises
    CalledProcessError with the tool's own output."""
    for network in NETWORKS:
        graph_base(folder, network).parent.mkdir(parents=True, exist_ok=True)
    steps = preparation(extract, folder, threads=threads)
    for number, (what, command) in enumerate(steps, start=1):
        if say:
            say(f"[{number}/{len(steps)}] {what}")
        subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 (our own tools)


@functools.lru_cache(maxsize=8)
def _engine(base: str, version: float) -> osrm.OSRM:
    """One engine per graph, kept while its files stay the same (`version`: their time)."""
    return osrm.OSRM(storage_config=base, algorithm="MLD", use_shared_memory=False)


def table(
    folder: Path, network: str, places: list[Place]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] | None:
    """Metres and seconds by road between all places (NaN where the network connects no route),
    and each place's distance to the road it was snapped to; None when the network is not
    prepared in `folder` or OSRM cannot read it (logged). Kept for the next ask about the same
    places on the same graph (a plan builds each leg more than once), read-only."""
    base = graph_base(folder, network)
    ready = base.with_name(GRAPH + READY)
    if not ready.is_file():
        return None
    try:
        return _table(str(base), ready.stat().st_mtime, tuple((p.x, p.y) for p in places))
    except RuntimeError:  # a graph from another OSRM version, a half-copied folder
        log.exception("road graph %s cannot be used; travel is the straight line", base)
        return None


@functools.lru_cache(maxsize=16)
def _table(
    base: str, version: float, coordinates: tuple[tuple[float, float], ...]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    parameters = osrm.TableParameters(coordinates=list(coordinates), annotations=["duration", "distance"])
    answer = _engine(base, version).Table(parameters)
    metres = np.array([list(row) for row in answer["distances"]], dtype=np.float64)
    seconds = np.array([list(row) for row in answer["durations"]], dtype=np.float64)
    snapped = np.array([float(w["distance"]) for w in answer["sources"]], dtype=np.float64)
    for array in (metres, seconds, snapped):
        array.flags.writeable = False
    return metres, seconds, snapped


def road_travel(
    places: list[Place], profiles: list[Profile], folder: Path, *, snap_limit_m: float = SNAP_LIMIT_M
) -> Travel:
    """Distances and durations by road, one pair of matrices per profile, from the graphs in
    `folder`; the straight line for places off the roads (see the module's docstring)."""
    crow = straight_line(places, profiles)
    if len(places) < 2:
        return crow
    tables = {network: table(folder, network, places) for network in {p.network for p in profiles}}
    distances, durations, estimated = [], [], np.zeros(len(places), dtype=bool)
    for index, profile in enumerate(profiles):
        found = tables[profile.network]
        if found is None:
            distances.append(crow.distance[index])
            durations.append(crow.duration[index])
            estimated[:] = True
            continue
        metres, seconds, snapped = found
        off = snapped > snap_limit_m
        missing = np.isnan(metres) | np.isnan(seconds) | off[:, None] | off[None, :]
        np.fill_diagonal(missing, False)
        if profile.network in NETWORK_KMH:
            seconds = seconds * NETWORK_KMH[profile.network] / profile.speed_kmh
        distance = np.where(missing, crow.distance[index], np.nan_to_num(np.rint(metres)))
        duration = np.where(missing, crow.duration[index], np.nan_to_num(np.rint(seconds)))
        np.fill_diagonal(distance, 0)
        np.fill_diagonal(duration, 0)
        distances.append(distance.astype(np.int64))
        durations.append(duration.astype(np.int64))
        others = len(places) - 1  # a place no route leaves or none reaches is off the roads too
        estimated |= off | (missing.sum(axis=1) == others) | (missing.sum(axis=0) == others)
    return Travel(distances, durations, tuple(p.key for p, e in zip(places, estimated, strict=True) if e))
