"""What a page offers the user: the teams they run or may call on, the channels for its messages."""

from typing import Any

from django.utils.translation import gettext as _

from fugong.accounts.permissions import scope_of
from fugong.core.http import AuthedRequest
from fugong.directory.models import Organisation
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


def why_no_channel(request: AuthedRequest, organisation: Organisation) -> str:
    """Said instead of an empty list of channels: what is missing and who can set it up."""
    scope = scope_of(request.user)
    if organisation.pk in scope.admin_org_ids:
        return _(
            "%(organisation)s has no channel with a message for calls for help; "
            "set one up under Messages → Channels, or ask the platform administrator for a platform default."
        ) % {"organisation": organisation}
    if scope.covers_region(organisation.region.code):
        county = organisation.region
        while county.level > county.Level.COUNTY and county.parent is not None:
            county = county.parent
        return _(
            "No channel for calls for help is set up for %(county)s; "
            "the platform administrator sets one up under Messages → Channels."
        ) % {"county": county.name}
    return _(
        "%(organisation)s has no channel with a message for calls for help; "
        "its administrator or the platform administrator sets one up under Messages → Channels."
    ) % {"organisation": organisation}
