from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.directory.models import Organisation
from fugong.volunteers import queries
from fugong.volunteers.models import HelpCallStatus, Team
from fugong.volunteers.services import calls, shifts, teams

from .conftest import make_team


@pytest.fixture
def riders(demo: Any) -> Team:
    bureau = Organisation.objects.get(short_name="峡江县局")
    team = make_team(bureau, "巴邱测试互助组", "mutual_aid", "360823100", ["甲", "乙", "丙"])
    for m in team.members.all():
        teams.save_member(None, team, m, name=m.name, mobile=m.mobile, licence="C1")
        teams.save_offer(None, m, kind="vehicle", vehicle_kind="van", capacity_cartons=150)
    return team


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def open_call(team: Team, needed: int = 2, start: int = 6, end: int = 12) -> Any:
    return calls.open_call(
        None,
        team.organisation,
        title=f"配送 {start}-{end}",
        needed=needed,
        starts_at=tomorrow_at(start),
        ends_at=tomorrow_at(end),
        place="巴邱网点",
        teams=[team],
        vehicle_kind="van",
    )


def test_nobody_is_booked_twice_for_overlapping_hours(riders: Team) -> None:
    morning, late_morning = open_call(riders), open_call(riders, start=10, end=14)
    first = riders.members.get(name="甲")
    calls.answer_call(morning, first, yes=True)
    calls.confirm(None, morning, [first])
    with pytest.raises(ValidationError, match="配送 6-12"):
        calls.answer_call(late_morning, first, yes=True)


def test_a_shift_blocks_a_call_at_the_same_hours(riders: Team) -> None:
    first = riders.members.get(name="甲")
    site = riders.organisation.sites.get(name="巴邱网点")
    [shift, *_rest] = shifts.plan_roster(None, riders, site, first_day=timezone.localdate() + timedelta(days=1), days=1)
    shifts.assign(None, shift, first)
    with pytest.raises(ValidationError):
        calls.answer_call(open_call(riders), first, yes=True)


def test_confirming_more_than_needed_is_refused_and_answers_repeat_harmlessly(riders: Team) -> None:
    call = open_call(riders, needed=1)
    people = list(riders.members.order_by("name"))
    for person in people[:2]:
        calls.answer_call(call, person, yes=True)
        calls.answer_call(call, person, yes=True)  # a second tap
    assert call.answers.count() == 2
    with pytest.raises(ValidationError):
        calls.confirm(None, call, people[:2])
    calls.confirm(None, call, people[:1])
    call.refresh_from_db()
    assert call.status == HelpCallStatus.FULL
    assert calls.answer_call(call, people[2], yes=True).full


def test_saying_no_after_confirmation_frees_the_place_and_the_vehicle(riders: Team) -> None:
    call = open_call(riders, needed=1)
    first = riders.members.get(name="甲")
    calls.answer_call(call, first, yes=True)
    calls.confirm(None, call, [first])
    day = timezone.localdate(call.starts_at)

    def brought() -> list[str]:
        return [v.owner for v in queries.fleet_for_day(day)[0] if v.call_id == call.pk]

    assert brought() == ["甲"]
    calls.answer_call(call, first, yes=False)
    call.refresh_from_db()
    assert call.status == HelpCallStatus.OPEN and brought() == []


def test_a_forged_or_foreign_link_is_refused(riders: Team, demo: Any, federation: Organisation) -> None:
    call = open_call(riders)
    with pytest.raises(PermissionDenied):
        calls.read_answer_token(calls.answer_token(call, riders.members.first())[:-2] + "xx")
    outsider = make_team(federation, "外队", "volunteer", "331126001", ["丁"]).members.get()
    with pytest.raises(PermissionDenied):
        calls.answer_call(call, outsider, yes=True)


def test_only_the_organisations_coordinators_open_calls(riders: Team, demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        calls.open_call(
            demo["qy_power"],
            riders.organisation,
            title="x",
            needed=1,
            starts_at=tomorrow_at(6),
            ends_at=tomorrow_at(8),
            place="x",
            teams=[riders],
        )


def test_answer_api_takes_the_links_token(riders: Team, client: Any) -> None:
    call = open_call(riders, needed=1)
    token = calls.answer_token(call, riders.members.get(name="甲"))
    response = client.post(f"/api/volunteers/answers/{token}", {"answer": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "yes"
    forged = client.post("/api/volunteers/answers/forged", {"answer": True}, content_type="application/json")
    assert forged.status_code == 403


def test_an_answer_cannot_bring_someone_elses_vehicle_into_the_fleet(riders: Team, client: Any) -> None:
    """A call that asks for no vehicle takes none from an answer: 甲 cannot put 乙's van in the
    fleet by sending its offer's id with their own answer link."""
    call = calls.open_call(
        None,
        riders.organisation,
        title="分拣",
        needed=1,
        starts_at=tomorrow_at(6),
        ends_at=tomorrow_at(9),
        place="巴邱网点",
        teams=[riders],
    )
    token = calls.answer_token(call, riders.members.get(name="甲"))
    others = riders.members.get(name="乙").offers.get()
    answer = {"answer": True, "vehicle_id": others.pk}
    response = client.post(f"/api/volunteers/answers/{token}", answer, content_type="application/json")
    assert response.status_code == 422 and "vehicle" in response.text
    assert not call.answers.exists()
    response = client.post(f"/api/volunteers/answers/{token}", {"answer": True}, content_type="application/json")
    assert response.status_code == 200 and call.answers.get().vehicle is None


def test_a_van_needs_a_car_licence(riders: Team) -> None:
    rider = teams.save_member(None, riders, name="戊", mobile="13907960999", consent=True, licence="D")
    teams.save_offer(None, rider, kind="vehicle", vehicle_kind="tricycle", capacity_cartons=40)  # fine
    with pytest.raises(ValidationError, match="戊"):
        teams.save_offer(None, rider, kind="vehicle", vehicle_kind="van", capacity_cartons=150, drivers=[rider])


def test_confirming_a_posted_stranger_names_nobody(riders: Team, client_for: Any) -> None:
    """The coordinator posts member ids: someone of another county, who never answered, is not found,
    and the page does not tell their name."""
    from fugong.volunteers.models import Member

    call = open_call(riders)
    first = riders.members.get(name="甲")
    calls.answer_call(call, first, yes=True)
    federation = Organisation.objects.get(short_name="县妇联")
    stranger = make_team(federation, "庆元测试队", "mutual_aid", "331126001", ["远方志愿者"]).members.get()
    client = client_for("huanghuiyun")
    posted = {"confirm": "1", "member": [first.pk, stranger.pk]}
    page = client.post(f"/volunteers/calls/{call.pk}/", posted, follow=True)
    assert "远方志愿者" not in page.content.decode()
    assert call.answers.get(member=first).status == "confirmed"
    release = client.post(f"/volunteers/calls/{call.pk}/", {"release": stranger.pk})
    assert release.status_code == 404 and Member.objects.filter(pk=stranger.pk).exists()
