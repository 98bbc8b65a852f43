"""Broadcast fan-out: enqueue 23,400 SMS (Qingyuan's accounts) and drain them through the
console channel, each next to a plain loop that writes the same rows, in the same run; then
drain the same broadcast through a channel paced at 12,000 a minute and check that no minute
carried more than that (about 70 s: the second half waits for the first minute to pass).

Run: `make bench` (or `uv run python benchmarks/notify_fanout.py`). Uses a fresh SQLite file
unless DATABASE_URL points elsewhere (e.g. the local PostgreSQL).
"""

import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="fugong-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("FUGONG_VAR_DIR", str(WORK))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from fugong.notify import services  # noqa: E402
from fugong.notify.models import Channel, Message, MessageStatus  # noqa: E402
from fugong.notify.sending import dispatch  # noqa: E402

RECIPIENTS = [f"+86139{i:08d}" for i in range(23_400)]
TEXT = "尊敬的电力客户：您已办理的暂停减容业务将自动续期，复工时一个电话即可恢复用电。"


def plain_enqueue(channel: Channel) -> None:
    """The reference: the same rows, inserted without templates, opt-outs or dedupe."""
    with transaction.atomic():
        Message.objects.bulk_create(
            [Message(channel=channel, kind="ref", recipient=r, body=TEXT) for r in RECIPIENTS], batch_size=2000
        )


def plain_drain(channel: Channel, path: Path) -> None:
    """The reference: write each line and mark each row sent, with no claims or checks."""
    messages = list(Message.objects.filter(channel=channel, kind="ref"))
    with path.open("a", encoding="utf-8") as sink:
        for m in messages:
            sink.write(json.dumps({"id": m.pk, "to": m.recipient, "text": m.body}, ensure_ascii=False) + "\n")
    now = timezone.now()
    for m in messages:
        m.status, m.sent_at = MessageStatus.SENT, now
    with transaction.atomic():
        Message.objects.bulk_update(messages, ["status", "sent_at"], batch_size=2000)


def timed(label: str, action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:7.2f} s")
    return seconds


PACED_RATE = 12_000  # per minute: an SMS account's usual ceiling is of this order


def busiest_minute(channel: Channel) -> int:
    """The most messages claimed within any 60 s: what the provider would have seen."""
    times = list(Message.objects.filter(channel=channel).order_by("claimed_at").values_list("claimed_at", flat=True))
    busiest, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= timedelta(minutes=1):
            start += 1
        busiest = max(busiest, end - start + 1)
    return busiest


def paced_drain(outbox: Path) -> None:
    channel = services.save_channel(
        None, name="paced", kind="console", options={"path": str(outbox)}, rate_per_minute=PACED_RATE
    )
    services.save_template(None, channel, kind="suspension_renewed", text=TEXT, parameters=[])
    services.enqueue(None, channel, "suspension_renewed", RECIPIENTS)
    start = time.perf_counter()
    while Message.objects.filter(channel=channel, status=MessageStatus.QUEUED).exists():
        dispatch(channel, budget_seconds=50)  # what the worker's task does, tick after tick
    seconds = time.perf_counter() - start
    busiest = busiest_minute(channel)
    n = len(RECIPIENTS)
    print(
        f"paced drain at {PACED_RATE:,}/min: {n:,} in {seconds:.0f} s; busiest minute {busiest:,} "
        f"(ratio to the configured rate {busiest / PACED_RATE:.2f}, "
        f"{'kept' if busiest <= PACED_RATE else 'EXCEEDED'})"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    outbox = WORK / "outbox.jsonl"
    channel = services.save_channel(
        None,
        name="bench",
        kind="console",
        options={"path": str(outbox)},
        rate_per_minute=10_000_000,
        daily_quota_per_recipient=100,
    )
    services.save_template(None, channel, kind="suspension_renewed", text=TEXT, parameters=[])
    reference = services.save_channel(None, name="reference", kind="console", options={"path": str(WORK / "ref.jsonl")})
    n = len(RECIPIENTS)
    print(f"notify fan-out, {n} recipients, database {django.db.connection.vendor}")

    ours_enqueue = timed("enqueue (fugong)", lambda: services.enqueue(None, channel, "suspension_renewed", RECIPIENTS))
    ref_enqueue = timed("enqueue (plain bulk insert)", lambda: plain_enqueue(reference))
    ours_drain = timed("drain through console (fugong)", lambda: dispatch(channel, budget_seconds=600))
    ref_drain = timed("drain (plain loop)", lambda: plain_drain(reference, WORK / "ref.jsonl"))

    sent = Message.objects.filter(channel=channel, status=MessageStatus.SENT).count()
    assert sent == n, f"only {sent} of {n} sent"
    print(
        f"enqueue: {ours_enqueue:.2f} s for {n} (target < 5 s: {'met' if ours_enqueue < 5 else 'MISSED'}), "
        f"ratio to plain insert {ours_enqueue / ref_enqueue:.2f}x"
    )
    print(
        f"drain: {n / ours_drain:,.0f} messages/s, plain loop {n / ref_drain:,.0f} messages/s, "
        f"ratio {ours_drain / ref_drain:.2f}x"
    )
    paced_drain(WORK / "paced.jsonl")


if __name__ == "__main__":
    main()
