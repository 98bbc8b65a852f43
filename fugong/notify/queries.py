"""Read side of notify, scoped: people see the channels they manage and the messages on them."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from fugong.accounts.permissions import scope_of

from .kinds import label_of
from .models import Channel, Message, OptOut


def manageable_channels(user: Any) -> QuerySet[Channel]:
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Channel.objects.all()
    return Channel.objects.filter(organisation_id__in=sorted(scope.admin_org_ids))


def usable_channels(user: Any) -> QuerySet[Channel]:
    """Channels a user may send through: those of organisations where they are an
    administrator or staff (not a volunteer); for coordinators, the platform channels of the
    regions they coordinate and those of no region; and for anyone of these, the platform
    default. The one place that decides: calls for help and broadcasts both ask here."""
    scope = scope_of(user)
    if scope.is_platform_admin:
        return Channel.objects.filter(is_active=True)
    senders = scope.admin_org_ids | scope.staff_org_ids
    condition = Q(organisation_id__in=sorted(senders))
    if scope.region_prefixes:
        condition |= Q(organisation__isnull=True) & (Q(region__isnull=True) | scope.q_region("region__code"))
    elif senders:
        condition |= Q(is_default=True)
    return Channel.objects.filter(condition, is_active=True)


def default_channel() -> Channel | None:
    return Channel.objects.filter(is_default=True, is_active=True).first()


def visible_messages(user: Any) -> QuerySet[Message]:
    """Messages on the channels a user manages, those they sent, and, for an organisation's
    staff, those sent on its behalf (a hall supervisor reads what her customers were told;
    the page masks their numbers for anyone who does not manage the channel)."""
    scope = scope_of(user)
    return Message.objects.filter(
        Q(channel__in=manageable_channels(user))
        | Q(created_by_id=scope.user_id)
        | Q(channel__organisation_id__in=sorted(scope.staff_org_ids))
    ).select_related("channel")


def outbox_choices(messages: QuerySet[Message]) -> dict[str, list[tuple[str, str]]]:
    """The outbox filter's choices: the kinds (in words), channels and organisations among
    the messages the person may read, nothing they could not see."""
    kinds = {kind: label_of(kind) for kind in messages.order_by().values_list("kind", flat=True).distinct()}
    channel_ids = messages.order_by().values("channel_id").distinct()
    channels = Channel.objects.filter(pk__in=channel_ids).select_related("organisation").order_by("name")
    organisations = {c.organisation_id: str(c.organisation) for c in channels if c.organisation is not None}
    return {
        "kinds": sorted(kinds.items(), key=lambda item: item[1]),
        "channels": [(str(c.pk), c.name) for c in channels],
        "organisations": sorted(((str(pk), name) for pk, name in organisations.items()), key=lambda item: item[1]),
    }


def filter_outbox(
    messages: QuerySet[Message], *, kind: str = "", channel: str = "", status: str = "", organisation: str = ""
) -> QuerySet[Message]:
    if kind:
        messages = messages.filter(kind=kind)
    if channel:
        messages = messages.filter(channel_id=int(channel))
    if status:
        messages = messages.filter(status=status)
    if organisation:
        messages = messages.filter(channel__organisation_id=int(organisation))
    return messages


def may_read_outbox(user: Any) -> bool:
    """Coordinators and administrators, and organisations' staff (their organisation's messages)."""
    scope = scope_of(user)
    return scope.has_role("county_coordinator", "org_admin") or bool(scope.staff_org_ids)


def may_send(user: Any) -> bool:
    """Broadcasts, channels and opt-outs: coordinators and administrators."""
    return scope_of(user).has_role("county_coordinator", "org_admin")


def opted_out_among(recipients: Iterable[str], channel_kind: str) -> set[str]:
    """Those who asked for no messages on this kind of channel, or on any."""
    return set(
        OptOut.objects.filter(recipient__in=list(recipients), channel_kind__in=["", channel_kind]).values_list(
            "recipient", flat=True
        )
    )


def may_create_channel(user: Any) -> bool:
    """Platform administrators and organisation administrators (a channel is the organisation's)."""
    scope = scope_of(user)
    return scope.is_platform_admin or bool(scope.admin_org_ids)
