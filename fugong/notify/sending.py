"""Draining the outbox: claim, send, record, at each channel's pace.

Exactly-once, as far as a provider allows it:
1. A batch is *claimed* and committed (status "sending", a claim token, a lease) before the
   provider is called, so no other worker takes it.
2. The provider's answers are recorded against that claim token.
3. If the worker dies in between, the lease runs out; the next dispatch asks the transport
   whether those messages went out (`lookup`): yes -> sent, no -> queued again,
   cannot tell -> "uncertain", shown to people, never resent automatically.
4. If the database goes away while this worker holds a claim, the worker keeps what it knows in
   memory and waits for the database (fugong.core.outage.until_reachable) before going on: the
   outcomes of a call the provider already answered are recorded once it is back, so a message a
   channel took is never sent again, and nothing more is sent while they cannot be recorded. (The
   message id also goes to every transport as `Outgoing.id`, which `lookup` answers by; a worker
   that died instead of waiting is settled by step 3.)
"""

import logging
import secrets
import time as clock
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_noop

from fugong.core.outage import until_reachable

from .crypto import channel_secret
from .models import Channel, Message, MessageEvent, MessageStatus, MessageTemplate
from .queries import opted_out_among
from .transports import (
    ChannelPaused,
    DeliveryUnknown,
    Outcome,
    Outgoing,
    PermanentError,
    TransientError,
    Transport,
    transport_for,
)

logger = logging.getLogger(__name__)

RATE_WINDOW = timedelta(minutes=1)
# Waits before attempts 2, 3, ...: a provider's bad minute should not lose a message,
# and a dead number should not be hammered.
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))

# Reasons the engine itself records, stored in English and shown translated (`{% translate %}`).
OPTED_OUT = gettext_noop("opted out")
QUOTA_REACHED = gettext_noop("daily quota reached")
NO_ANSWER = gettext_noop("no answer from provider")
NOT_SENT_BEFORE_INTERRUPTION = gettext_noop("not sent before an interruption")
INTERRUPTED_UNKNOWN = gettext_noop("interrupted; provider cannot say if sent")


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    uncertain: int = 0
    held: int = 0  # put back in the queue because the channel was paused
    reconciled: Counter[str] = field(default_factory=Counter)


def transport_of(channel: Channel) -> Transport:
    return transport_for(channel.kind, channel.options, channel_secret(channel.options, channel.secret))


def dispatch(channel: Channel, *, budget_seconds: float = 50.0, transport: Transport | None = None) -> DispatchReport:
    """Send what is due on a channel, at its rate, for at most `budget_seconds`
    (nothing new while the channel is paused)."""
    report = DispatchReport()
    transport = transport or transport_of(channel)
    reconcile_expired(channel, transport, report)  # even while paused: a dead worker's sends need settling
    deadline = clock.monotonic() + budget_seconds
    templates = {t.kind: t for t in MessageTemplate.objects.filter(channel=channel)}
    while clock.monotonic() < deadline:
        token, batch, allowed = claim_within_rate(channel, transport)
        if channel.is_paused:
            break
        if allowed <= 0:
            clock.sleep(min(1.0, max(0.0, deadline - clock.monotonic())))
            continue
        if not batch:
            break
        batch = until_reachable(
            partial(_drop_unsendable, channel, token, batch, report), what="checking who may be sent to"
        )
        if batch and not _send(channel, transport, token, batch, templates, report):
            break  # the channel is paused
    return report


def claim_within_rate(channel: Channel, transport: Transport) -> tuple[str, list[Message], int]:
    """Claim what the channel may still send this minute. The channel row is locked while
    counting and claiming, so two workers cannot both spend the same minute's allowance."""
    rate = min(channel.rate_per_minute, transport.max_per_minute or channel.rate_per_minute)
    with transaction.atomic():
        # Locked, and the pause read under the lock: another worker may just have paused it.
        channel.paused_until, channel.pause_reason = (
            Channel.objects.select_for_update().filter(pk=channel.pk).values_list("paused_until", "pause_reason").get()
        )
        if channel.is_paused:
            return "", [], 0
        recent = Message.objects.filter(channel=channel, claimed_at__gte=timezone.now() - RATE_WINDOW).count()
        allowed = rate - recent
        if allowed <= 0:
            return "", [], allowed
        token, batch = claim(channel, min(allowed, transport.max_batch))
    return token, batch, allowed


def claim(channel: Channel, limit: int) -> tuple[str, list[Message]]:
    """Take up to `limit` due messages for this worker; committed before anything is sent."""
    now = timezone.now()
    token = secrets.token_hex(8)
    with transaction.atomic():
        due = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(channel=channel, status=MessageStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Message.objects.filter(pk__in=list(due), status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING,
            claim_token=token,
            claimed_at=now,
            lease_until=now + settings.NOTIFY_LEASE,
            attempts=F("attempts") + 1,
        )
    # Committed: from here on the claim is this worker's to finish, through an outage if need be.
    return token, until_reachable(
        lambda: list(Message.objects.filter(claim_token=token, status=MessageStatus.SENDING).order_by("pk")),
        what="reading claimed messages",
    )


def _drop_unsendable(channel: Channel, token: str, batch: list[Message], report: DispatchReport) -> list[Message]:
    """Opted-out recipients and those over today's quota are not sent to."""
    recipients = {m.recipient for m in batch if m.recipient}
    opted_out = opted_out_among(recipients, channel.kind)
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = Counter(
        dict(
            Message.objects.filter(
                channel=channel,
                recipient__in=recipients,
                claimed_at__gte=day_start,
                status__in=[MessageStatus.SENT, MessageStatus.SENDING],
            )
            .exclude(claim_token=token)
            .values_list("recipient")
            .annotate(n=Count("pk"))
        )
    )
    keep: list[Message] = []
    skipped: dict[str, list[int]] = defaultdict(list)  # reason -> message ids
    for message in batch:
        if message.recipient in opted_out:
            skipped[OPTED_OUT].append(message.pk)
        elif message.recipient and used[message.recipient] >= channel.daily_quota_per_recipient:
            skipped[QUOTA_REACHED].append(message.pk)
        else:
            used[message.recipient] += 1
            keep.append(message)
    for reason, ids in skipped.items():
        report.skipped += _settle_many(ids, token, MessageStatus.SKIPPED, error=reason)
    return keep


def _outgoing(message: Message, templates: dict[str, MessageTemplate]) -> Outgoing:
    template = templates.get(message.kind)
    return Outgoing(
        id=message.pk,
        recipient=message.recipient,
        body=message.body,
        kind=message.kind,
        parameters=message.parameters,
        provider_template=template.provider_template if template else "",
        parameter_order=tuple(template.parameters) if template else (),
        reference=message.claim_token,
        claimed_on=timezone.localtime(message.claimed_at).strftime("%Y%m%d") if message.claimed_at else "",
    )


def _send(
    channel: Channel,
    transport: Transport,
    token: str,
    batch: list[Message],
    templates: dict[str, MessageTemplate],
    report: DispatchReport,
) -> bool:
    """Send the batch call by call: keep the claim alive (renewed once a third of the lease
    has passed), record each call's outcomes as soon as it returns, so a failure in one call
    never touches what others delivered. False if the provider paused the channel."""
    by_id = {m.pk: m for m in batch}
    # On the wall clock, like the lease it keeps alive (lease_until is compared with now()).
    third = settings.NOTIFY_LEASE / 3
    renew_at = timezone.now() + third  # a fresh claim needs no renewal yet
    for call in transport.calls([_outgoing(m, templates) for m in batch]):
        if timezone.now() >= renew_at:
            until_reachable(partial(_renew_lease, token), what="renewing a claim")
            renew_at = timezone.now() + third
        try:
            outcomes = transport.send(call)
        except ChannelPaused as pause:
            settled = [(by_id[o.message_id], o) for o in pause.settled]
            until_reachable(partial(_record, token, settled, report), what="recording sent messages")
            report.held += until_reachable(
                partial(pause_channel, channel, token, str(pause), pause.pause), what="pausing a channel"
            )
            return False
        except PermanentError as error:
            outcomes = [Outcome(m.id, False, error=str(error)[:300], permanent=True) for m in call]
        except TransientError as error:
            outcomes = [Outcome(m.id, False, error=str(error)[:300]) for m in call]
        except DeliveryUnknown as error:
            outcomes = [Outcome(m.id, False, error=str(error)[:300], uncertain=True) for m in call]
        answered = {o.message_id for o in outcomes}
        outcomes += [Outcome(m.id, False, error=NO_ANSWER, uncertain=True) for m in call if m.id not in answered]
        results = [(by_id[o.message_id], o) for o in outcomes]
        # The provider has these: recorded whatever the database is doing now, never sent again.
        until_reachable(partial(_record, token, results, report), what="recording sent messages")
    return True


def pause_channel(channel: Channel, token: str, reason: str, pause: timedelta) -> int:
    """The account cannot send: hold the channel and put this claim's unsent messages back in
    the queue for when it resumes. Not their fault, so the attempt does not count."""
    until = timezone.now() + pause
    with transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(paused_until=until, pause_reason=reason[:300])
        held = list(
            Message.objects.filter(claim_token=token, status=MessageStatus.SENDING).values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=held).update(
            status=MessageStatus.QUEUED,
            lease_until=None,
            next_attempt_at=until,
            attempts=F("attempts") - 1,
            error=reason[:300],
        )
        MessageEvent.objects.bulk_create(
            [MessageEvent(message_id=pk, status=MessageStatus.QUEUED, detail=reason[:300]) for pk in held]
        )
    channel.paused_until, channel.pause_reason = until, reason[:300]
    # No personal data here: the reason is the provider's account-level error.
    logger.warning("Channel %s paused until %s: %s", channel, until, reason)
    return len(held)


def _renew_lease(token: str) -> None:
    """Keep the whole claim alive while this worker is still working through it."""
    Message.objects.filter(claim_token=token, status=MessageStatus.SENDING).update(
        lease_until=timezone.now() + settings.NOTIFY_LEASE
    )


def _record(token: str, results: list[tuple[Message, Outcome]], report: DispatchReport) -> None:
    """Outcomes that read the same are recorded together: one UPDATE and one INSERT per group."""
    groups: dict[tuple[str, str, str, datetime | None, bool], list[int]] = defaultdict(list)
    now = timezone.now()
    for message, outcome in results:
        key: tuple[str, str, str, datetime | None, bool]
        if outcome.delivered:
            key = (MessageStatus.SENT, outcome.provider_id, "", None, False)
            report.sent += 1
        elif outcome.uncertain:
            # It may have gone out: never resent automatically; a person decides.
            key = (MessageStatus.UNCERTAIN, "", outcome.error, None, False)
            report.uncertain += 1
        elif outcome.retry_after is not None:
            # The provider limits this number for a while: waiting is not a failed attempt.
            key = (MessageStatus.QUEUED, "", outcome.error, now + outcome.retry_after, True)
            report.retrying += 1
        elif outcome.permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            key = (MessageStatus.FAILED, "", outcome.error, None, False)
            report.failed += 1
        else:
            retry_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
            key = (MessageStatus.QUEUED, "", outcome.error, retry_at, False)
            report.retrying += 1
        groups[key].append(message.pk)
    for (status, provider_id, detail, due, refund), ids in groups.items():
        settled = _settle_many(
            ids, token, status, provider_id=provider_id, error=detail, next_attempt_at=due, refund_attempt=refund
        )
        if settled < len(ids):
            logger.warning(
                "%d message(s) had lost their claim before the outcome %s was recorded", len(ids) - settled, status
            )


def _settle(message: Message, token: str, status: str, **kwargs: Any) -> bool:
    return _settle_many([message.pk], token, status, **kwargs) == 1


def _settle_many(
    ids: list[int],
    token: str,
    status: str,
    *,
    provider_id: str = "",
    error: str = "",
    next_attempt_at: datetime | None = None,
    refund_attempt: bool = False,
) -> int:
    """Record an outcome for the messages this worker still holds the claim on."""
    now = timezone.now()
    fields: dict[str, object] = {"status": status, "lease_until": None, "error": error[:300]}
    if refund_attempt:
        fields["attempts"] = F("attempts") - 1
    if status == MessageStatus.SENT:
        fields.update(sent_at=now, provider_id=provider_id[:100])
    if next_attempt_at is not None:
        fields["next_attempt_at"] = next_attempt_at
    with transaction.atomic():
        held = Message.objects.filter(pk__in=ids, claim_token=token, status=MessageStatus.SENDING)
        mine = list(held.values_list("pk", flat=True))
        Message.objects.filter(pk__in=mine).update(**fields)
        detail = (error or provider_id)[:300]
        MessageEvent.objects.bulk_create(
            [MessageEvent(message_id=pk, status=status, detail=detail, at=now) for pk in mine]
        )
    return len(mine)


def reconcile_expired(channel: Channel, transport: Transport, report: DispatchReport) -> None:
    """Settle messages whose worker died mid-send, by asking the provider what happened."""
    expired = Message.objects.filter(channel=channel, status=MessageStatus.SENDING, lease_until__lt=timezone.now())
    stale = list(expired.order_by("pk"))
    if not stale:
        return
    answers = transport.lookup([_outgoing(m, {}) for m in stale])
    for message in stale:
        went_out = answers.get(message.pk)
        if went_out is True:
            status = MessageStatus.SENT
            settled = _settle(message, message.claim_token, status, provider_id=f"reconciled-{message.pk}")
        elif went_out is False:
            status = MessageStatus.QUEUED
            settled = _settle(message, message.claim_token, status, error=NOT_SENT_BEFORE_INTERRUPTION)
        else:
            status = MessageStatus.UNCERTAIN
            settled = _settle(message, message.claim_token, status, error=INTERRUPTED_UNKNOWN)
        if settled:
            report.reconciled[status] += 1
            logger.warning("Message %s on %s reconciled as %s", message.pk, channel, status)
