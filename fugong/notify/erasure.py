"""Sent messages as a kind of kept data (core.erasure)."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.core import erasure

from .models import Message, MessageStatus

MESSAGES = erasure.Period("messages", "RETENTION_MESSAGES_DAYS")
# Queued, sending and held messages stay whatever their age: they are still work to do.
FINISHED = [MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED, MessageStatus.UNCERTAIN]


def _finished_messages(now: datetime) -> QuerySet[Any]:
    return Message.objects.filter(created_at__lt=MESSAGES.before(now), status__in=FINISHED)


erasure.register(
    erasure.Kind(
        code="notify.messages",
        label=_("finished outbound messages"),
        holds=_("the recipient's mobile or address and the text sent to them"),
        kept=MESSAGES,
        counted_from=_("the message was queued"),
        action=erasure.Action.DELETE,
        models=("notify.message",),
        due=_finished_messages,
    )
)
