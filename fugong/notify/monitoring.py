"""The outbox as /readyz and /metrics see it (registered in NotifyConfig.ready).

A message waits from the moment it is due (queued, or due again after a failed try) until a
dispatcher takes it. A paused channel (an administrator's pause, a robot the provider muted)
holds its messages on purpose: they are counted in the backlog but do not make the site unready.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from prometheus_client.core import GaugeMetricFamily

from fugong.core import metrics, readiness

from .models import Message, MessageStatus

# What has not reached a final state a person need not look at: waiting, in flight, or given up on.
BACKLOG = [MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.FAILED, MessageStatus.UNCERTAIN]


def waiting(now: datetime) -> "QuerySet[Message]":
    """Queued and due, on a channel that is not paused."""
    not_paused = Q(channel__paused_until__isnull=True) | Q(channel__paused_until__lte=now)
    return Message.objects.filter(not_paused, status=MessageStatus.QUEUED, next_attempt_at__lte=now)


def outbox(now: datetime) -> readiness.Outcome:
    since = waiting(now).aggregate(since=Min("next_attempt_at"))["since"]
    return readiness.within(since, now, settings.READY_MAX_OUTBOX_AGE.total_seconds())


def outbox_metrics(now: datetime) -> Iterable[GaugeMetricFamily]:
    backlog = GaugeMetricFamily(
        "fugong_outbox_messages",
        "Outbound messages not sent yet or given up on, by channel (its id and kind) and status.",
        labels=["channel", "channel_kind", "status"],
    )
    rows = (
        Message.objects.filter(status__in=BACKLOG)
        .order_by()
        .values("channel_id", "channel__kind", "status")
        .annotate(n=Count("pk"))
    )
    for row in sorted(rows, key=lambda r: (r["channel_id"], r["status"])):
        backlog.add_metric([str(row["channel_id"]), row["channel__kind"], row["status"]], row["n"])
    oldest = GaugeMetricFamily(
        "fugong_outbox_oldest_waiting_seconds",
        "How long the longest-waiting due message has waited, by channel (paused channels left out).",
        labels=["channel"],
    )
    waits = waiting(now).order_by().values("channel_id").annotate(since=Min("next_attempt_at"))
    for wait in sorted(waits, key=lambda r: r["channel_id"]):
        oldest.add_metric([str(wait["channel_id"])], max(0.0, (now - wait["since"]).total_seconds()))
    return [backlog, oldest]


def register() -> None:
    readiness.register(readiness.Check("outbox", outbox))
    metrics.register("outbox", outbox_metrics)
