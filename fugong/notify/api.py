from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from fugong.core.api import ERRORS, IDEMPOTENT, WRITE_ERRORS, respond_once
from fugong.core.http import AuthedRequest
from fugong.core.masking import mask_recipient

from . import queries, services
from .kinds import label_of
from .models import Message, OptOut

router = Router(tags=["notify"])


class EnqueueIn(Schema):
    channel_id: int
    kind: str
    recipients: list[str] = Field(min_length=1, max_length=50_000)
    parameters: dict[str, str] = {}
    per_recipient: dict[str, dict[str, str]] = {}


class EnqueueOut(Schema):
    count: int


class EventOut(Schema):
    at: datetime
    status: str
    detail: str


class MessageOut(Schema):
    id: int
    channel: str
    kind: str
    kind_label: str  # the kind in the reader's words
    recipient: str
    status: str
    attempts: int
    error: str
    created_at: datetime
    sent_at: datetime | None
    events: list[EventOut]


@router.post("/messages", response={202: EnqueueOut, 200: EnqueueOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def enqueue(request: AuthedRequest, payload: EnqueueIn) -> Status[Any]:
    """Put messages in the outbox; with an `Idempotency-Key`, a resend enqueues nothing twice."""

    def act() -> tuple[int, Any]:
        channel = get_object_or_404(queries.usable_channels(request.user), pk=payload.channel_id)
        count = services.send(
            request.user,
            channel,
            payload.kind,
            payload.recipients,
            payload.parameters,
            per_recipient=payload.per_recipient,
        )
        return 202, {"count": count}

    return respond_once(request, payload.model_dump(mode="json"), act)


def message_out(message: Message, managed_channels: set[int]) -> MessageOut:
    """One message: the recipient in full only for those who manage its channel (a list passes none)."""
    manages = message.channel_id in managed_channels
    return MessageOut(
        id=message.pk,
        channel=message.channel.name,
        kind=message.kind,
        kind_label=label_of(message.kind),
        recipient=message.recipient if manages else mask_recipient(message.recipient),
        status=message.status,
        attempts=message.attempts,
        error=message.error,
        created_at=message.created_at,
        sent_at=message.sent_at,
        events=[EventOut(at=e.at, status=e.status, detail=e.detail) for e in message.events.all()],
    )


@router.get("/messages/{message_id}", response={200: MessageOut, **ERRORS})
def message_status(request: AuthedRequest, message_id: int) -> MessageOut:
    """A message's state and history (recipient masked unless you manage the channel)."""
    message = get_object_or_404(queries.visible_messages(request.user), pk=message_id)
    return message_out(message, _managed(request))


@router.get("/messages", response={200: list[MessageOut], **ERRORS})
def list_messages(request: AuthedRequest, status: str = "", kind: str = "", limit: int = 100) -> list[MessageOut]:
    qs = queries.visible_messages(request.user).prefetch_related("events")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if not 1 <= limit <= 1000:
        raise ValidationError({"limit": _("Between 1 and 1000.")})
    return [message_out(m, managed_channels=set()) for m in qs[:limit]]  # a list: every recipient masked


class OptOutIn(Schema):
    recipient: str = Field(max_length=254)
    channel_kind: str = ""
    note: str = Field("", max_length=200)


class OptOutOut(Schema):
    id: int
    channel_kind: str


@router.post("/opt-outs", response={201: OptOutOut, **WRITE_ERRORS})
def record_opt_out(request: AuthedRequest, payload: OptOutIn) -> Status[Any]:
    """Someone asked for no more messages (on one kind of channel, or on any). Repeating it is harmless."""
    entry = services.opt_out(request.user, payload.recipient, channel_kind=payload.channel_kind, note=payload.note)
    return Status(201, OptOutOut(id=entry.pk, channel_kind=entry.channel_kind))


@router.delete("/opt-outs/{opt_out_id}", response={204: None, **WRITE_ERRORS})
def cancel_opt_out(request: AuthedRequest, opt_out_id: int) -> Status[None]:
    """The person wants messages again."""
    visible = OptOut.objects.filter(services.q_visible_opt_outs(request.user))
    services.cancel_opt_out(request.user, get_object_or_404(visible, pk=opt_out_id))
    return Status(204, None)


def _managed(request: AuthedRequest) -> set[int]:
    return set(queries.manageable_channels(request.user).values_list("pk", flat=True))
