"""Public benchmark instances as engine problems: CVRPLIB's CVRP (`.vrp`, EUC_2D distances
rounded to the nearest integer) and Solomon's VRPTW (`.txt`, distances truncated to one decimal
as the DIMACS challenge does, kept as integer tenths). Read with the `vrplib` package."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from .problem import UNLIMITED, Place, Problem, Stop, Travel, VehicleGroup


@dataclass(frozen=True)
class Instance:
    name: str
    problem: Problem
    scale: int  # matrix units per unit of cost (10 for Solomon's tenths)
    numbers: list[int]  # the instance's own number of each stop, for printing routes


def _euclid(coords: np.ndarray) -> np.ndarray:
    delta = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((delta**2).sum(axis=2))


def read(path: str | Path) -> Instance:
    path = Path(path)
    return _solomon(path) if path.suffix.lower() == ".txt" else _cvrplib(path)


def _cvrplib(path: Path) -> Instance:
    raw = vrplib.read_instance(path, compute_edge_weights=False)
    if raw.get("edge_weight_type") != "EUC_2D":
        raise ValueError(f"{path.name}: only EUC_2D instances are read")
    coords = np.asarray(raw["node_coord"], dtype=float)
    depot = int(raw["depot"][0])
    distance = np.floor(_euclid(coords) + 0.5).astype(np.int64)  # CVRPLIB's nint
    places = [Place(str(i + 1), float(x), float(y)) for i, (x, y) in enumerate(coords)]
    numbers = [i for i in range(len(places)) if i != depot]
    stops = [Stop(str(i), place=i, demand=int(raw["demand"][i])) for i in numbers]
    fleet = [VehicleGroup("vehicle", capacity=int(raw["capacity"]), count=UNLIMITED, start=depot, end=depot)]
    problem = Problem(places, stops, fleet, Travel([distance], [distance.copy()]))
    return Instance(str(raw["name"]), problem, 1, numbers)


def _solomon(path: Path) -> Instance:
    raw = vrplib.read_instance(path, instance_format="solomon", compute_edge_weights=False)
    coords = np.asarray(raw["node_coord"], dtype=float)
    tenths = np.floor(_euclid(coords) * 10 + 1e-7).astype(np.int64)  # truncated to one decimal
    windows = np.asarray(raw["time_window"], dtype=np.int64) * 10
    service = np.asarray(raw["service_time"], dtype=np.int64) * 10
    places = [Place(str(i), float(x), float(y)) for i, (x, y) in enumerate(coords)]
    numbers = list(range(1, len(places)))
    stops = [
        Stop(
            str(i),
            place=i,
            demand=int(raw["demand"][i]),
            window=(int(windows[i][0]), int(windows[i][1])),
            service=int(service[i]),
        )
        for i in numbers
    ]
    shift = (int(windows[0][0]), int(windows[0][1]))
    fleet = [
        VehicleGroup("vehicle", capacity=int(raw["capacity"]), count=int(raw["vehicles"]), start=0, end=0, shift=shift)
    ]
    problem = Problem(places, stops, fleet, Travel([tenths], [tenths.copy()]))
    return Instance(str(raw["name"]), problem, 10, numbers)


def best_known(path: str | Path) -> float | None:
    """The cost in the `.sol` file next to the instance, if there is one."""
    solution = Path(path).with_suffix(".sol")
    return float(vrplib.read_solution(solution)["cost"]) if solution.exists() else None
