"""Travel between places on the map: the straight line times a road factor per kind of vehicle,
at that kind's speed. (roads.road_travel travels on an OpenStreetMap extract's roads instead, and
keeps this line for the places off them: anything that returns a Travel will do.)"""

import numpy as np
from numpy.typing import NDArray

from .problem import Place, Profile, Travel

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(places: list[Place]) -> NDArray[np.float64]:
    """Great-circle distances in metres between all places (x longitude, y latitude)."""
    lng = np.radians([p.x for p in places])
    lat = np.radians([p.y for p in places])
    dlat = lat[:, None] - lat[None, :]
    dlng = lng[:, None] - lng[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def straight_line(places: list[Place], profiles: list[Profile]) -> Travel:
    crow = haversine_m(places)
    distances, durations = [], []
    for profile in profiles:
        road = np.rint(crow * profile.road_factor).astype(np.int64)
        metres_per_second = profile.speed_kmh * 1000 / 3600
        distances.append(road)
        durations.append(np.rint(road / metres_per_second).astype(np.int64))
    return Travel(distances, durations)
