"""What a page offers the user: the teams they run or may call on, the channels for its messages."""

from typing import Any

from fugong.core.http import AuthedRequest
from fugong.notify.queries import usable_channels

from .. import queries
from ..access import may_coordinate_organisation


def coordinated_teams(request: AuthedRequest) -> Any:
    return queries.run_teams(request.user)


def teams_to_call(request: AuthedRequest) -> Any:
    """Teams whose organisation the user coordinates: those a call for help may go to."""
    return [
        t
        for t in queries.visible_teams(request.user)
        if may_coordinate_organisation(request.user, t.organisation_id, t.region.code)
    ]


def channels_for(request: AuthedRequest, kind: str) -> Any:
    """Channels the user may send through that have a template for this kind of message."""
    return usable_channels(request.user).filter(templates__kind=kind).distinct()
