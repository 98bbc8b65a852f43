"""Teams and members kept from the pages: founding a team, adding people with their consent,
what they lend, the leader, leaving."""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from fugong.directory.models import Organisation
from fugong.volunteers import queries
from fugong.volunteers.models import Member, Team
from fugong.volunteers.services import calls

from .conftest import make_team


def _at(day_offset: int, hour: int) -> str:
    day = timezone.localdate() + timedelta(days=day_offset)
    return f"{day.isoformat()}T{hour:02d}:00"


def test_a_coordinator_founds_a_team_and_adds_a_member_only_with_consent(client_for: Any, federation: Any) -> None:
    client = client_for("wuyuanzi")
    response = client.post(
        reverse("volunteers:team_new"),
        {"name": "黄田美丽帮帮团", "kind": "volunteer", "organisation": federation.pk, "region": _region("331126")},
    )
    team = Team.objects.get(name="黄田美丽帮帮团")
    assert response.url == reverse("volunteers:member_new", args=[team.pk])

    person = {"name": "吴秀英", "mobile": "139 0578 1234", "licence": "", "group": "care", "skills": ["care"]}
    refused = client.post(reverse("volunteers:member_new", args=[team.pk]), person)
    assert refused.status_code == 200
    assert 'class="field has-error" data-field="consent"' in refused.content.decode()
    assert not team.members.exists()

    client.post(reverse("volunteers:member_new", args=[team.pk]), person | {"consent": "on"})
    added = team.members.get()
    assert added.mobile == "+8613905781234"
    assert added.consent_given_at is not None


def pair_with_account(federation: Organisation, user: Any, holder: str) -> tuple[Team, Member]:
    """A team of 甲 and 乙 where `holder` signs in as `user`."""
    team = make_team(federation, "测试帮帮团", "volunteer", "331126001201", ["甲", "乙"])
    member = team.members.get(name=holder)
    member.user = user
    member.save()
    return team, member


def _region(code: str) -> int:
    from fugong.directory.models import Region

    return Region.objects.get(code=code).pk


def test_mobiles_are_full_for_those_who_run_the_team_and_masked_for_fellow_members(
    client_for: Any, federation: Organisation, demo: Any
) -> None:
    team, _fellow = pair_with_account(federation, demo["yezeyun"], "乙")
    other = team.members.get(name="甲")
    national = other.mobile.removeprefix("+86")
    page = reverse("volunteers:member", args=[other.pk])

    coordinator_view = client_for("wuyuanzi").get(page).content.decode()
    assert national in coordinator_view
    assert 'id="duty-link"' in coordinator_view

    fellow = client_for("yezeyun")
    fellow_view = fellow.get(page).content.decode()
    assert national not in fellow_view
    assert f"{national[:3]}****{national[-4:]}" in fellow_view
    assert 'id="duty-link"' not in fellow_view  # the link is the member's key
    assert fellow.post(page, {"leaves": "1"}).status_code == 403
    assert Member.objects.get(pk=other.pk).is_active


def test_a_lent_vehicle_with_its_window_joins_that_days_fleet(client_for: Any, federation: Any, demo: Any) -> None:
    bureau = Organisation.objects.get(short_name="峡江县局")
    team = make_team(bureau, "巴邱北路互助组", "mutual_aid", "360823100", ["老刘", "小胡"])
    owner, driver = team.members.get(name="老刘"), team.members.get(name="小胡")
    driver.licence = "C1"
    driver.save()
    client = client_for("huanghuiyun")
    page = reverse("volunteers:member", args=[owner.pk])
    van = {
        "offer": "1",
        "kind": "vehicle",
        "vehicle_kind": "van",
        "capacity_cartons": "160",
        "plate": "赣d·12345",
        "available_from": _at(1, 6),
        "available_until": _at(1, 20),
    }
    unlicensed = client.post(page, van | {"drivers": [owner.pk]})
    assert "老刘" in unlicensed.content.decode()  # named as not licensed
    nobody = client.post(page, van)  # the owner cannot drive it and nobody else was named
    assert 'class="field has-error" data-field="drivers"' in nobody.content.decode()
    backwards = client.post(page, van | {"drivers": [driver.pk], "available_until": _at(1, 5)})
    assert 'class="field has-error" data-field="available_until"' in backwards.content.decode()
    assert not owner.offers.exists()

    client.post(page, van | {"drivers": [driver.pk]})
    vehicles, drivers = queries.fleet_for_day(timezone.localdate() + timedelta(days=1), organisation_ids=[bureau.pk])
    [vehicle] = [v for v in vehicles if v.team == team.name]
    assert (vehicle.plate, vehicle.capacity_cartons, vehicle.driver_ids) == ("赣D·12345", 160, (driver.pk,))
    assert driver.pk in {d.member_id for d in drivers}
    today_vehicles, _ = queries.fleet_for_day(timezone.localdate(), organisation_ids=[bureau.pk])
    assert team.name not in {v.team for v in today_vehicles}


def test_only_a_coordinator_appoints_the_leader(client_for: Any, federation: Organisation, demo: Any) -> None:
    team, first = pair_with_account(federation, demo["yezeyun"], "甲")
    second = team.members.get(name="乙")
    client_for("wuyuanzi").post(reverse("volunteers:member", args=[first.pk]), {"leader": "1"})
    team.refresh_from_db()
    assert team.leader == first
    # The leader runs the team but does not hand it on alone.
    leader = client_for("yezeyun")
    assert leader.post(reverse("volunteers:member", args=[second.pk]), {"leader": "1"}).status_code == 403
    team.refresh_from_db()
    assert team.leader == first


def test_a_member_who_left_gets_no_more_calls(client_for: Any, federation: Organisation, demo: Any) -> None:
    team = make_team(federation, "测试帮帮团", "volunteer", "331126001201", ["甲", "乙"])
    leaving = team.members.get(name="乙")
    client_for("wuyuanzi").post(reverse("volunteers:member", args=[leaving.pk]), {"leaves": "1"})
    starts = timezone.now() + timedelta(days=1)
    call = calls.open_call(
        None,
        federation,
        title="卡口",
        needed=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        place="西演村",
        teams=[team],
    )
    assert [m.name for m in calls.invitees(call)] == ["甲"]


def test_saving_a_members_details_keeps_their_account_and_leadership(
    client_for: Any, federation: Organisation, demo: Any
) -> None:
    team, leader = pair_with_account(federation, demo["yezeyun"], "甲")
    client_for("wuyuanzi").post(reverse("volunteers:member", args=[leader.pk]), {"leader": "1"})
    page = reverse("volunteers:member", args=[team.members.get(name="乙").pk])
    leader_client = client_for("yezeyun")
    leader_client.post(page, {"save": "1", "name": "乙", "mobile": "", "group": "care", "licence": "D"})
    leader_client.post(reverse("volunteers:member", args=[leader.pk]), {"save": "1", "name": "甲", "licence": ""})
    leader.refresh_from_db()
    assert leader.user == demo["yezeyun"]
    assert leader_client.get(page).status_code == 200
    assert 'id="duty-link"' in leader_client.get(page).content.decode()  # still runs the team


def test_a_leader_who_left_no_longer_runs_the_team(client_for: Any, federation: Organisation, demo: Any) -> None:
    team, leader = pair_with_account(federation, demo["yezeyun"], "甲")
    client_for("wuyuanzi").post(reverse("volunteers:member", args=[leader.pk]), {"leader": "1"})
    client_for("wuyuanzi").post(reverse("volunteers:member", args=[leader.pk]), {"leaves": "1"})
    team.refresh_from_db()
    assert team.leader is None
    page = reverse("volunteers:member", args=[team.members.get(name="乙").pk])
    assert client_for("yezeyun").get(page).status_code == 404


def test_a_mangled_id_is_not_found_rather_than_an_error(client_for: Any, federation: Organisation) -> None:
    team = make_team(federation, "测试帮帮团", "volunteer", "331126001201", ["甲"])
    page = reverse("volunteers:member", args=[team.members.get().pk])
    assert client_for("wuyuanzi").post(page, {"withdraw": "abc"}).status_code == 404
