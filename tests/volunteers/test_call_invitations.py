"""Invitations go only to who is free and has not answered; a reminder reaches only those who
were asked and did not answer; the coordinator is told how many were left out and why."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fugong.notify.models import Channel, Message
from fugong.volunteers.models import Team
from fugong.volunteers.services import calls, shifts, teams

from .conftest import make_team, member
from .test_calls import open_call, riders  # noqa: F401 - the fixture


def bureau_channel() -> Channel:
    return Channel.objects.get(name="峡江县局（演示控制台）")


def asked_for(title: str) -> list[str]:
    return sorted(
        Message.objects.filter(kind=calls.MESSAGE_KIND, parameters__task=title).values_list("recipient", flat=True)
    )


def test_sending_again_asks_no_one_twice_and_a_reminder_reaches_who_did_not_answer(riders: Team) -> None:  # noqa: F811
    call = open_call(riders)
    first, second, third = (member(riders, name) for name in ["甲", "乙", "丙"])
    assert calls.send_call(None, call, bureau_channel()).sent == 3
    calls.answer_call(call, first, yes=True)
    calls.answer_call(call, second, yes=False)
    calls.confirm(None, call, [first])

    again = calls.send_call(None, call, bureau_channel())
    assert again.sent == 0
    assert (len(again.plan.answered), len(again.plan.booked), len(again.plan.invited)) == (2, 0, 1)
    assert len(asked_for(call.title)) == 3

    reminder = calls.send_call(None, call, bureau_channel(), remind=True)
    assert reminder.sent == 1
    assert asked_for(call.title) == sorted([first.mobile, second.mobile, third.mobile, third.mobile])
    [reminded] = call.invitations.filter(is_reminder=True)
    assert reminded.member == third and reminded.message is not None and reminded.message.recipient == third.mobile


def test_an_overlapping_call_sends_nothing_to_those_booked_at_its_hours(riders: Team) -> None:  # noqa: F811
    morning = open_call(riders, needed=2)
    first, second, third = (member(riders, name) for name in ["甲", "乙", "丙"])
    for person in (first, second):
        calls.answer_call(morning, person, yes=True)
    calls.confirm(None, morning, [first, second])

    late_morning = open_call(riders, start=10, end=14)
    sending = calls.send_call(None, late_morning, bureau_channel())
    assert sending.sent == 1 and sorted(m.name for m in sending.plan.booked) == ["乙", "甲"]
    assert asked_for(late_morning.title) == [third.mobile]


def test_the_coordinator_reads_how_many_were_sent_and_skipped(riders: Team, client_for: Any) -> None:  # noqa: F811
    call = open_call(riders)
    first = member(riders, "甲")
    calls.send_call(None, call, bureau_channel())
    calls.answer_call(call, first, yes=True)
    client = client_for("huanghuiyun")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.post(f"/volunteers/calls/{call.pk}/", {"send": "1", "channel": bureau_channel().pk}, follow=True)
    text = page.content.decode()
    assert "Sent 0. Skipped 3: 0 already booked at that time, 1 already answered, 2 asked before" in text
    page = client.post(
        f"/volunteers/calls/{call.pk}/", {"send": "1", "channel": bureau_channel().pk, "remind": "on"}, follow=True
    )
    assert "Sent 2. Skipped 1: 0 already booked at that time, 1 already answered" in page.content.decode()
    assert len(asked_for(call.title)) == 5


def test_a_shift_or_the_same_persons_booking_in_another_team_counts_as_booked(riders: Team) -> None:  # noqa: F811
    first, second, third = (member(riders, name) for name in ["甲", "乙", "丙"])
    site = riders.organisation.sites.get(name="巴邱网点")
    [shift, *_rest] = shifts.plan_roster(None, riders, site, first_day=timezone.localdate() + timedelta(days=1), days=1)
    shifts.assign(None, shift, first)
    other = make_team(riders.organisation, "峡江另一互助组", "mutual_aid", "360823100", [])
    second_elsewhere = teams.save_member(None, other, name="乙", mobile=second.mobile, consent=True)
    elsewhere = calls.open_call(
        None,
        riders.organisation,
        title="另一组的装车",
        needed=1,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        place="巴邱网点",
        teams=[other],
    )
    calls.answer_call(elsewhere, second_elsewhere, yes=True)
    calls.confirm(None, elsewhere, [second_elsewhere])

    call = calls.open_call(
        None,
        riders.organisation,
        title="同一时段的配送",
        needed=1,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        place="巴邱网点",
        teams=[riders],
    )
    sending = calls.send_call(None, call, bureau_channel())
    assert sorted(m.name for m in sending.plan.booked) == ["乙", "甲"]
    assert asked_for(call.title) == [third.mobile]
