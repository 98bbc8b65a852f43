"""Sending across a database outage: a message a channel took is recorded once the database is
back, and never sent again."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from fugong.core import outage
from fugong.notify import sending, services
from fugong.notify.models import Channel, Message, MessageStatus
from tests.site.outage_tasks import database_gone

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox waits outside any transaction, as in the worker
SHOPS = [f"+86139079{i:05d}" for i in range(250)]


def outbox(channel: Channel) -> Counter[int]:
    path = Path(channel.options["path"])
    return Counter(json.loads(line)["id"] for line in path.read_text().splitlines())


def test_outcomes_the_database_missed_are_recorded_when_it_is_back(
    console: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "FIRST_WAIT", 0.01)
    services.enqueue(None, console, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    record = sending._record
    tries: list[int] = []

    def away_for_a_while(*args: Any) -> None:
        tries.append(1)
        if len(tries) <= 3:  # the first call's lines are written; the database is gone when they are recorded
            raise database_gone()
        record(*args)

    monkeypatch.setattr(sending, "_record", away_for_a_while)
    report = sending.dispatch(console)
    sent = outbox(console)
    assert report.sent == len(SHOPS) and len(tries) == 3 + 3  # three calls of 100, the first recorded late
    assert set(sent.values()) == {1} and len(sent) == len(SHOPS)
    assert Message.objects.filter(status=MessageStatus.SENT).count() == len(SHOPS)
