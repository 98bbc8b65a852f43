from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.directory.models import Organisation, Site
from fugong.volunteers.models import Member, Shift
from fugong.volunteers.services import duty, shifts, teams

from .conftest import make_team


@pytest.fixture
def checkpoint_team(federation: Organisation, demo: Any) -> Any:
    team = make_team(federation, "西演值守测试队", "volunteer", "331126001201", ["甲", "乙", "丙"])
    site = Site.objects.get(name="西演村卡口")
    today = timezone.localdate()
    planned = shifts.plan_roster(None, team, site, first_day=today, days=2, needed=2)
    return team, site, planned


def test_three_turns_a_day_and_planning_again_adds_nothing(checkpoint_team: Any) -> None:
    team, site, planned = checkpoint_team
    assert len(planned) == 6
    assert [timezone.localtime(s.starts_at).hour for s in planned[:3]] == [6, 11, 16]
    assert shifts.plan_roster(None, team, site, first_day=timezone.localdate(), days=2) == []


def test_gaps_in_the_next_two_days_are_listed_until_filled(checkpoint_team: Any) -> None:
    team, _site, _planned = checkpoint_team
    tomorrow_morning = Shift.objects.filter(team=team).order_by("starts_at")[3]
    gaps = {g.shift.pk: g.missing for g in shifts.coming_gaps(Shift.objects.filter(team=team))}
    assert gaps[tomorrow_morning.pk] == 2
    for member in team.members.all()[:2]:
        shifts.assign(None, tomorrow_morning, member)
    gaps = {g.shift.pk for g in shifts.coming_gaps(Shift.objects.filter(team=team))}
    assert tomorrow_morning.pk not in gaps


def test_check_in_and_out_on_the_phone_counts_hours(checkpoint_team: Any, demo: Any) -> None:
    team, _site, planned = checkpoint_team
    first = planned[0]
    me = team.members.get(name="甲")
    teams.save_member(None, team, me, name=me.name, mobile=me.mobile, user=demo["yezeyun"])
    assignment = shifts.assign(None, first, me)
    with pytest.raises(ValidationError):  # hours before the shift
        shifts.sign_in(demo["yezeyun"], assignment, at=first.starts_at - timedelta(hours=2))
    with pytest.raises(PermissionDenied):  # someone else's shift
        shifts.sign_in(demo["laoyan"], assignment, at=first.starts_at)
    shifts.sign_in(demo["yezeyun"], assignment, at=first.starts_at)
    shifts.sign_in(demo["yezeyun"], assignment, at=first.starts_at + timedelta(minutes=5))  # a second tap
    shifts.sign_out(demo["yezeyun"], assignment, at=first.starts_at + timedelta(hours=4, minutes=30))
    assert shifts.hours_worked(assignment) == pytest.approx(4.5)


def test_one_person_cannot_hold_two_overlapping_shifts(checkpoint_team: Any) -> None:
    team, site, planned = checkpoint_team
    other = make_team(team.organisation, "西演第二值守队", "volunteer", "331126001201", [])
    twin = teams.save_member(None, other, name="甲", mobile=team.members.get(name="甲").mobile, consent=True)
    [overlap, *_] = shifts.plan_roster(None, other, site, first_day=timezone.localdate(), days=1)
    shifts.assign(None, planned[0], team.members.get(name="甲"))
    with pytest.raises(ValidationError):
        shifts.assign(None, overlap, twin)  # the same person in another team, same hours


def english() -> Client:
    """A phone asking for English: these pages' words are checked as written in the code."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def later_shift(checkpoint_team: Any) -> Any:
    """A 4.5-hour turn starting in two hours, with 甲 on it."""
    team, site, _planned = checkpoint_team
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    shift = Shift.objects.create(site=site, team=team, starts_at=start, ends_at=start + timedelta(hours=4, minutes=30))
    return shifts.assign(None, shift, team.members.get(name="甲"))


def test_check_in_shows_only_in_the_shifts_window_and_says_when_it_opens(later_shift: Any) -> None:
    page = reverse("volunteers:duty", args=[duty.duty_token(later_shift.member)])
    start = later_shift.shift.starts_at
    before = english().get(page).content.decode()
    assert 'value="in"' not in before  # no button that would only refuse
    assert f"Check-in opens at {timezone.localtime(start - shifts.SIGN_IN_EARLY):%m-%d %H:%M}" in before
    with time_machine.travel(start - shifts.SIGN_IN_EARLY, tick=False):
        assert 'value="in"' in english().get(page).content.decode()
    with time_machine.travel(later_shift.shift.ends_at, tick=False):
        assert 'value="in"' not in english().get(page).content.decode()


def test_hours_count_at_check_out_or_at_the_shifts_end_marked_so(later_shift: Any, client_for: Any) -> None:
    member, start = later_shift.member, later_shift.shift.starts_at
    page = reverse("volunteers:duty", args=[duty.duty_token(member)])
    mine = Member.objects.filter(pk=member.pk)
    with time_machine.travel(start, tick=False):
        english().post(page, {"assignment": later_shift.pk, "action": "in"})
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert duty.duties_of(mine).hours == 0  # under way: nothing counted yet
    with time_machine.travel(later_shift.shift.ends_at + timedelta(minutes=1), tick=False):
        assert duty.duties_of(mine).hours == pytest.approx(4.5)  # the 4.5 h shift ended
        body = english().get(page).content.decode()
        assert "4.5 hours on duty so far" in body
        assert "counted at shift end (not checked out)" in body
        leader_view = client_for("wuyuanzi").get(reverse("volunteers:shift", args=[later_shift.shift_id]))
        assert 'class="pill counted-at-end"' in leader_view.content.decode()


def test_checking_out_counts_the_hours_at_once(later_shift: Any) -> None:
    start, mine = later_shift.shift.starts_at, Member.objects.filter(pk=later_shift.member_id)
    page = reverse("volunteers:duty", args=[duty.duty_token(later_shift.member)])
    with time_machine.travel(start, tick=False):
        english().post(page, {"assignment": later_shift.pk, "action": "in"})
    with time_machine.travel(start + timedelta(hours=4), tick=False):
        english().post(page, {"assignment": later_shift.pk, "action": "out"})
        assert duty.duties_of(mine).hours == pytest.approx(4.0)
        assert "counted at shift end" not in english().get(page).content.decode()
