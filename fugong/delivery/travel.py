"""How far and how long between a leg's places: by road on the graph that ROUTING_GRAPH names,
else (none set, or a folder not prepared) the straight line times each kind's road factor."""

from pathlib import Path

from django.conf import settings

from fugong.routing.distances import straight_line
from fugong.routing.problem import Place, Profile, Travel


def road_graph() -> Path | None:
    """The prepared graph folder plans travel on, if any."""
    folder: Path | None = settings.ROUTING_GRAPH
    if folder is None:
        return None
    from fugong.routing import roads  # loads OSRM only where a graph is set

    return folder if roads.is_prepared(folder) else None


def travel(places: list[Place], profiles: list[Profile]) -> Travel:
    folder = road_graph()
    if folder is None:
        return straight_line(places, profiles)
    from fugong.routing.roads import road_travel

    return road_travel(places, profiles, folder)
