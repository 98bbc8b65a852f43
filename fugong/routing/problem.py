"""What the engine is asked: places, stops to serve, the fleet, and how far and long it is
between places. Times are seconds after midnight of the plan's day, distances metres (or the
instance's own units for benchmark files), loads cartons."""

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

DAY = 24 * 3600
UNLIMITED = -1  # as many vehicles, or reloads, as the solution wants


@dataclass(frozen=True)
class Place:
    """A point: a depot, a network point, a shop. For places on the map x is the longitude and
    y the latitude."""

    key: str
    x: float
    y: float


@dataclass(frozen=True)
class Stop:
    """A delivery to a place: `demand` cartons, served within `window`, taking `service` seconds."""

    key: str
    place: int  # index into Problem.places
    demand: int
    window: tuple[int, int] = (0, DAY)
    service: int = 0


@dataclass(frozen=True)
class Profile:
    """How a kind of vehicle travels: speed on the road and how much longer the road is than the
    straight line; on a prepared road graph, which of its networks it drives ("car" or
    "bicycle", see roads.NETWORKS)."""

    key: str
    speed_kmh: float = 30.0
    road_factor: float = 1.3
    network: str = "car"


@dataclass(frozen=True)
class VehicleGroup:
    """`count` identical vehicles (UNLIMITED for as many as needed), starting at `start` and
    ending at `end` within `shift`, each working at most `max_duration` seconds; they may reload
    at `reload_at` up to `max_reloads` times. A `reserve` vehicle (one lent for the day) is
    called out only when it is needed or shortens the day (see balance)."""

    key: str
    capacity: int
    count: int
    start: int  # index into Problem.places
    end: int
    shift: tuple[int, int] = (0, DAY)
    profile: int = 0  # index into Problem.profiles / travel matrices
    reload_at: tuple[int, ...] = ()
    max_reloads: int = UNLIMITED
    fixed_cost: int = 0
    max_duration: int | None = None
    reserve: bool = False


@dataclass(frozen=True)
class Travel:
    """Distances and durations between every pair of places, one pair of matrices per profile."""

    distance: list[NDArray[np.int64]]
    duration: list[NDArray[np.int64]]
    # Keys of the places whose rows and columns are the straight line although a road graph was
    # asked (too far from any road, or no route): the plan says so.
    estimated: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.distance) != len(self.duration) or not self.distance:
            raise ValueError("one distance and one duration matrix per profile")


@dataclass(frozen=True)
class Problem:
    places: list[Place]
    stops: list[Stop]
    fleet: list[VehicleGroup]
    travel: Travel
    profiles: list[Profile] = field(default_factory=lambda: [Profile("default")])
    # True: every stop must be served (benchmarks). False: serve what can be served and list the
    # rest (a day's deliveries with too few vehicles).
    all_required: bool = True
    duration_cost: int = 0  # added per second of route duration, for plans that value time
    # True: the last return comes first (the shortest day), then distance and working time.
    balance: bool = False
