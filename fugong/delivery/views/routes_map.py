"""What the route map draws: hubs, shops and each route's path, as plain JSON for Leaflet, on
the streets of the configured tile service (core.map_tiles), in its coordinate system."""

from collections.abc import Callable
from typing import Any

from django.conf import settings

from fugong.core import geo, map_tiles

from ..models import DeliveryPlan, Route
from ..travel import road_graph

OSM_CREDIT = "© OpenStreetMap contributors"  # ODbL: routes planned on its roads credit it

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def _wgs84(where: Any) -> list[float]:
    return [float(where.latitude), float(where.longitude)]


def _gcj02(where: Any) -> list[float]:
    return list(geo.wgs84_to_gcj02(float(where.latitude), float(where.longitude)))


def tile_service() -> map_tiles.TileService | None:
    return map_tiles.tile_service(
        settings.MAP_TILES,
        url=settings.MAP_TILE_URL,
        attribution=settings.MAP_TILE_ATTRIBUTION,
        key=settings.MAP_TILE_KEY,
    )


def _attribution(service: map_tiles.TileService | None) -> str:
    """The tile service's credit, and OpenStreetMap's when plans travel on its roads (ODbL)."""
    credits = [service.attribution] if service and service.attribution else []
    if road_graph() is not None and not any("OpenStreetMap" in c for c in credits):
        credits.append(OSM_CREDIT)
    return " | ".join(credits)


def map_data(plan: DeliveryPlan, routes: list[Route]) -> dict[str, Any]:
    """`routes` with their stops prefetched (queries.routes_with_stops)."""
    service = tile_service()
    _point: Callable[[Any], list[float]] = _gcj02 if service and service.gcj02 else _wgs84
    hubs = [
        {"name": s.name, "at": _point(s)}
        for s in [plan.depot, *plan.network_points.all()]
        if s and s.latitude is not None
    ]
    drawn = []
    for index, route in enumerate(routes):
        hub = route.vehicle.hub
        path = [_point(hub)]
        stops = []
        for stop in route.stops.all():
            where = stop.shop or stop.site
            assert where is not None  # every stop is at a shop or a site (a database constraint)
            path.append(_point(where))
            if not stop.is_reload:
                stops.append(
                    {
                        "name": where.name,
                        "at": _point(where),
                        "position": stop.position,
                        "done": bool(stop.completed_at),
                    }
                )
        path.append(_point(hub))
        drawn.append(
            {
                "number": route.number,
                "label": f"#{route.number} {route.vehicle.label}",
                "colour": COLOURS[index % len(COLOURS)],
                "path": path,
                "stops": stops,
                "trunk": route.echelon == "trunk",
            }
        )
    return {
        "hubs": hubs,
        "routes": drawn,
        "tiles": [layer.as_json() for layer in service.layers] if service else [],
        "attribution": _attribution(service),
    }
