from typing import Any

from django.tasks import task
from django.utils import timezone

from fugong.accounts import audit

from .models import Channel, Message, MessageStatus
from .sending import dispatch


@task()
def dispatch_messages(channel_id: int) -> dict[str, Any]:
    """Send what is due on one channel (for up to ~50 s; the next tick carries on)."""
    channel = Channel.objects.get(pk=channel_id)
    with audit.origin(audit.Origin("task")):
        report = dispatch(channel)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "retrying": report.retrying,
        "skipped": report.skipped,
        "uncertain": report.uncertain,
        "held": report.held,
        "reconciled": dict(report.reconciled),
    }


@task()
def dispatch_due_messages() -> dict[str, Any]:
    """Every minute: wake the channels that have retries due or interrupted sends to settle."""
    now = timezone.now()
    channel_ids = set(
        Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now).values_list(
            "channel_id", flat=True
        )
    ) | set(
        Message.objects.filter(status=MessageStatus.SENDING, lease_until__lt=now).values_list("channel_id", flat=True)
    )
    for channel_id in sorted(channel_ids):
        if Channel.objects.filter(pk=channel_id, is_active=True).exists():
            dispatch_messages.enqueue(channel_id)
    return {"channels": sorted(channel_ids)}
