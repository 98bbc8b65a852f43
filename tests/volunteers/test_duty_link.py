"""A member without an account checks in and out through their own signed duty link."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.directory.models import Organisation, Site
from fugong.notify.models import Channel, Message
from fugong.volunteers.models import Shift
from fugong.volunteers.services import duty, shifts, teams

from .conftest import make_team


@pytest.fixture
def on_duty_now(federation: Organisation, demo: Any) -> Any:
    """Two members on the shift running now at the Xiyan checkpoint."""
    team = make_team(federation, "西演值守测试队", "volunteer", "331126001201", ["甲", "乙"])
    site = Site.objects.get(name="西演村卡口")
    now = timezone.now()
    current = Shift.objects.create(
        site=site, team=team, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=4)
    )
    first, second = team.members.get(name="甲"), team.members.get(name="乙")
    return team, shifts.assign(None, current, first), shifts.assign(None, current, second)


def test_the_link_signs_its_member_in_and_out_without_an_account(on_duty_now: Any) -> None:
    _team, mine, _theirs = on_duty_now
    page = reverse("volunteers:duty", args=[duty.duty_token(mine.member)])
    phone = Client()
    assert "西演村卡口" in phone.get(page).content.decode()
    phone.post(page, {"assignment": mine.pk, "action": "in"})
    mine.refresh_from_db()
    assert mine.signed_in_at is not None
    phone.post(page, {"assignment": mine.pk, "action": "out"})
    mine.refresh_from_db()
    assert mine.signed_out_at is not None


def test_the_link_cannot_sign_in_someone_else(on_duty_now: Any) -> None:
    _team, mine, theirs = on_duty_now
    page = reverse("volunteers:duty", args=[duty.duty_token(mine.member)])
    assert Client().post(page, {"assignment": theirs.pk, "action": "in"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.signed_in_at is None


def test_a_renewed_forged_or_left_members_link_no_longer_opens(on_duty_now: Any) -> None:
    _team, mine, theirs = on_duty_now
    old = duty.duty_token(mine.member)
    duty.renew_duty_link(None, mine.member)
    assert Client().get(reverse("volunteers:duty", args=[old])).status_code == 403
    assert Client().get(reverse("volunteers:duty", args=[duty.duty_token(mine.member)])).status_code == 200
    assert Client().get(reverse("volunteers:duty", args=[old[:-2] + "xx"])).status_code == 403
    token = duty.duty_token(theirs.member)
    teams.member_leaves(None, theirs.member)
    assert Client().get(reverse("volunteers:duty", args=[token])).status_code == 403


def test_everyone_on_a_shift_gets_their_own_link(on_duty_now: Any, client_for: Any) -> None:
    _team, mine, theirs = on_duty_now
    channel = Channel.objects.get(name="县妇联（演示控制台）")
    client_for("wuyuanzi").post(reverse("volunteers:shift", args=[mine.shift_id]), {"send_links": channel.pk})
    bodies = {m.recipient: m.body for m in Message.objects.filter(kind=duty.MESSAGE_KIND)}
    assert set(bodies) == {mine.member.mobile, theirs.member.mobile}
    assert duty.duty_token(mine.member) in bodies[mine.member.mobile]
    assert duty.duty_token(theirs.member) not in bodies[mine.member.mobile]
