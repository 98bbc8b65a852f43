import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fugong.accounts.models import AuditEntry
from fugong.notify import crypto, services
from fugong.notify.models import Channel, ChannelKind, Message, MessageStatus
from fugong.notify.sending import claim, dispatch
from fugong.notify.transports import Outcome, Outgoing, TransientError

SHOPS = ["+8613907960101", "+8613907960102", "+8613907960103"]


def lines(channel: Channel) -> list[dict[str, Any]]:
    path = Path(channel.options["path"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_template_text_is_checked_against_its_parameters(console: Channel) -> None:
    with pytest.raises(ValidationError) as caught:
        services.save_template(None, console, kind="x", text="{shop} 的订单 {eta}", parameters=["shop"])
    assert "parameters" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.save_template(None, console, kind="x", text="未闭合 {shop", parameters=["shop"])


def test_messages_render_per_recipient_and_go_out_through_the_console(console: Channel) -> None:
    count = services.enqueue(
        None,
        console,
        "order_dispatched",
        SHOPS,
        {"eta": "今天 15:00"},
        per_recipient={SHOPS[0]: {"shop": "新世纪超市"}} | {s: {"shop": "宋小娟烟酒店"} for s in SHOPS[1:]},
    )
    assert count == 3
    report = dispatch(console)
    assert report.sent == 3
    written = lines(console)
    assert [w["to"] for w in written] == SHOPS
    assert written[0]["text"] == "新世纪超市，您的卷烟订单预计 今天 15:00 送达。"
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 3


def test_missing_template_or_parameter_is_refused(console: Channel) -> None:
    with pytest.raises(ValidationError):
        services.enqueue(None, console, "no_such_kind", SHOPS)
    with pytest.raises(ValidationError):
        services.enqueue(None, console, "order_dispatched", SHOPS, {"shop": "x"})  # no eta
    assert not Message.objects.exists()


def test_opted_out_recipients_are_not_sent_to(console: Channel) -> None:
    services.opt_out(None, SHOPS[1], note="不再接收短信")
    services.enqueue(None, console, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    dispatch(console)
    assert [w["to"] for w in lines(console)] == [SHOPS[0], SHOPS[2]]
    assert Message.objects.get(recipient=SHOPS[1]).status == MessageStatus.SKIPPED


def test_a_resent_enqueue_with_the_same_client_key_adds_nothing(console: Channel, demo: Any) -> None:
    params = {"shop": "店", "eta": "明天"}
    assert services.enqueue(demo["huyao"], console, "order_dispatched", SHOPS, params, client_key="k1") == 3
    assert services.enqueue(demo["huyao"], console, "order_dispatched", SHOPS, params, client_key="k1") == 0
    assert Message.objects.count() == 3


def test_the_channel_rate_is_kept_across_dispatches(console: Channel) -> None:
    console.rate_per_minute = 5
    console.save()
    services.enqueue(
        None, console, "order_dispatched", [f"+86139079602{i:02d}" for i in range(12)], {"shop": "店", "eta": "明天"}
    )
    dispatch(console, budget_seconds=0.3)
    dispatch(console, budget_seconds=0.3)  # a second worker in the same minute gets nothing more
    assert len(lines(console)) == 5
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == 7


def test_daily_quota_per_recipient(console: Channel) -> None:
    console.daily_quota_per_recipient = 2
    console.save()
    for _ in range(3):
        services.enqueue(None, console, "order_dispatched", [SHOPS[0]], {"shop": "店", "eta": "明天"})
    dispatch(console)
    assert len(lines(console)) == 2
    assert Message.objects.get(status=MessageStatus.SKIPPED).error == "daily quota reached"


class FlakyTransport:
    """Fails transiently for the first `failures` calls, then delivers; one number is dead."""

    max_batch = 10
    max_per_minute = None

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent_calls = 0

    def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]:
        return [batch]

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        self.sent_calls += 1
        if self.sent_calls <= self.failures:
            raise TransientError("provider busy")
        return [
            Outcome(m.id, False, error="isv.MOBILE_NUMBER_ILLEGAL", permanent=True)
            if m.recipient.endswith("0103")
            else Outcome(m.id, True, provider_id=f"biz-{m.id}")
            for m in batch
        ]

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
        return {m.id: None for m in batch}


def test_transient_failures_retry_with_backoff_and_permanent_ones_stop(console: Channel) -> None:
    services.enqueue(None, console, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    transport = FlakyTransport(failures=1)
    dispatch(console, transport=transport)
    queued = Message.objects.filter(status=MessageStatus.QUEUED)
    assert queued.count() == 3 and all(m.next_attempt_at > timezone.now() for m in queued)
    assert dispatch(console, transport=transport).sent == 0  # not due yet
    Message.objects.update(next_attempt_at=timezone.now())
    dispatch(console, transport=transport)
    assert Message.objects.get(recipient=SHOPS[2]).status == MessageStatus.FAILED
    sent = Message.objects.filter(status=MessageStatus.SENT)
    assert sent.count() == 2 and {m.attempts for m in sent} == {2}
    history = [e.status for e in Message.objects.get(recipient=SHOPS[0]).events.all()]
    assert history == ["queued", "sent"]


def test_gives_up_after_the_last_attempt(console: Channel, settings: Any) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 2
    services.enqueue(None, console, "order_dispatched", SHOPS[:1], {"shop": "店", "eta": "明天"})
    transport = FlakyTransport(failures=99)
    for _ in range(2):
        Message.objects.update(next_attempt_at=timezone.now())
        dispatch(console, transport=transport)
    assert Message.objects.get().status == MessageStatus.FAILED


def test_interrupted_sends_are_reconciled_never_resent_blindly(console: Channel, tmp_path: Path) -> None:
    services.enqueue(None, console, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    _token, batch = claim(console, 10)  # a worker claimed them ...
    path = Path(console.options["path"])
    path.write_text(
        json.dumps({"id": batch[0].pk}) + "\n" + '{"id": ' + str(batch[1].pk)
    )  # ... wrote one, died mid-line
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    report = dispatch(console)
    assert report.reconciled == {"sent": 1, "queued": 2}
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()[2:]] == [batch[1].pk, batch[2].pk]
    assert dispatch(console).reconciled == {}  # and the file still reads cleanly afterwards
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 3


def test_a_provider_that_cannot_tell_leaves_the_message_uncertain(console: Channel) -> None:
    services.enqueue(None, console, "order_dispatched", SHOPS[:1], {"shop": "店", "eta": "明天"})
    claim(console, 10)
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    dispatch(console, transport=FlakyTransport(failures=0))
    assert Message.objects.get().status == MessageStatus.UNCERTAIN


def test_channel_secrets_are_encrypted_and_never_audited(db: Any) -> None:
    channel = services.save_channel(
        None, name="阿里云短信", kind="aliyun_sms", options={"sign_name": "峡江烟草"}, secret="LTAI-very-secret"
    )
    assert "very-secret" not in channel.secret and crypto.decrypt(channel.secret) == "LTAI-very-secret"
    assert "very-secret" not in str(AuditEntry.objects.values_list("changes", flat=True))
    assert crypto.hint("LTAI-very-secret") == "LTA…et"


def test_a_secret_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIYUN_SMS_SECRET", "from-env")
    assert crypto.channel_secret({"secret_env": "ALIYUN_SMS_SECRET"}, "") == "from-env"


def test_a_slow_batch_keeps_its_claim_so_no_other_worker_resends_it(console: Channel, settings: Any) -> None:
    """Another worker's tick must not reconcile messages still being sent: the claim is renewed per call."""
    import time_machine

    from fugong.notify.sending import DispatchReport, reconcile_expired
    from fugong.notify.transports.console import ConsoleTransport

    settings.NOTIFY_LEASE = timedelta(seconds=1)
    real = ConsoleTransport(console.options, "")
    seen: list[dict[str, int]] = []

    class SlowConsole:
        max_batch = 10
        max_per_minute = None

        def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]:
            return [[m] for m in batch]

        def send(self, call: list[Outgoing]) -> list[Outcome]:
            clock.shift(0.6)  # each call takes 0.6 s on the clock the lease is kept by
            other_worker = DispatchReport()
            reconcile_expired(console, real, other_worker)  # the next minute's tick elsewhere
            seen.append(dict(other_worker.reconciled))
            return real.send(call)

        def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
            return real.lookup(batch)

    services.enqueue(None, console, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    with time_machine.travel(timezone.now(), tick=False) as clock:
        dispatch(console, transport=SlowConsole())  # 1.8 s of sending against a 1 s lease
    assert seen == [{}, {}, {}]
    assert [w["to"] for w in lines(console)] == SHOPS


def test_an_email_address_longer_than_the_column_holds_is_refused() -> None:
    """Django's validator takes addresses up to 320 characters, the outbox column 254: a longer
    one answered 500 on PostgreSQL when it was stored (SQLite kept it whole)."""
    address = "a" * 250 + "@example.com"
    with pytest.raises(ValidationError) as refused:
        services.normalise_recipient(ChannelKind.EMAIL, address)
    assert "254" in refused.value.messages[0]
    assert services.normalise_recipient(ChannelKind.EMAIL, " zhang@example.com ") == "zhang@example.com"
