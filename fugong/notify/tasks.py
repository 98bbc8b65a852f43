from datetime import timedelta
from typing import Any

from django.conf import settings
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


FINISHED = [MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED, MessageStatus.UNCERTAIN]
CHUNK = 2000


@task()
def purge_old_messages() -> dict[str, Any]:
    """Messages hold phone numbers: finished ones go when the retention period ends, in chunks."""
    cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS["messages"])
    deleted = 0
    while True:
        old = Message.objects.filter(created_at__lt=cutoff, status__in=FINISHED)
        ids = list(old.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return {"deleted": deleted}
        Message.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
