from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fugong.accounts.models import AuditEntry
from fugong.core import erasure
from fugong.directory.models import Organisation
from fugong.volunteers.models import MediationCase
from fugong.volunteers.services import mediation, teams

from .conftest import make_team


@pytest.fixture
def two_teams(federation: Organisation, demo: Any) -> tuple[Any, Any, MediationCase, MediationCase]:
    mengzhou = make_team(federation, "濛洲调解测试队", "mediation", "331126001", ["甲调解员", "乙调解员"])
    songyuan = make_team(federation, "松源调解测试队", "mediation", "331126003", ["丙调解员"])
    me = mengzhou.members.get(name="甲调解员")
    teams.save_member(None, mengzhou, me, name=me.name, mobile=me.mobile, user=demo["yezeyun"])
    ours = mediation.open_case(
        None,
        mengzhou,
        kind="family",
        summary="婆媳矛盾",
        opened_on=date(2020, 2, 1),
        parties=[mediation.Party("王秀英", "13905781111", "申请人"), mediation.Party("李桂兰", "", "被申请人")],
    )
    theirs = mediation.open_case(
        None,
        songyuan,
        kind="neighbours",
        summary="宅基地边界",
        opened_on=date(2020, 2, 3),
        parties=[mediation.Party("张德发", "13905782222", "申请人")],
    )
    return mengzhou, songyuan, ours, theirs


def test_a_member_sees_only_their_own_teams_cases(client_for: Any, two_teams: Any) -> None:
    _mengzhou, _songyuan, ours, theirs = two_teams
    client = client_for("yezeyun")
    listing = client.get("/volunteers/cases/").content.decode()
    assert f"/volunteers/cases/{ours.pk}/" in listing and f"/volunteers/cases/{theirs.pk}/" not in listing
    assert client.get(f"/volunteers/cases/{theirs.pk}/").status_code == 404
    detail = client.get(f"/volunteers/cases/{ours.pk}/").content.decode()
    assert "王秀英" in detail and "张德发" not in detail


def test_coordinators_see_all_cases_and_site_staff_none(client_for: Any, two_teams: Any) -> None:
    _mengzhou, _songyuan, ours, theirs = two_teams
    federation_admin = client_for("wuyuanzi").get("/volunteers/cases/").content.decode()
    assert f"/volunteers/cases/{ours.pk}/" in federation_admin and f"/volunteers/cases/{theirs.pk}/" in federation_admin
    assert client_for("qingyuan").get(f"/volunteers/cases/{theirs.pk}/").status_code == 200  # the county coordinator
    assert client_for("huyao").get(f"/volunteers/cases/{ours.pk}/").status_code == 404  # another organisation's clerk


def test_parties_numbers_only_for_the_cases_own_team(client_for: Any, two_teams: Any) -> None:
    """The federation and the county oversee the case; only the mediators who ring the parties see them."""
    _mengzhou, _songyuan, ours, _theirs = two_teams
    team = client_for("yezeyun").get(f"/volunteers/cases/{ours.pk}/").content.decode()
    assert "王秀英" in team and "139 0578 1111" in team.replace("13905781111", "139 0578 1111")
    for overseer in ("wuyuanzi", "qingyuan", "lishui", "admin"):
        page = client_for(overseer).get(f"/volunteers/cases/{ours.pk}/").content.decode()
        assert "13905781111" not in page.replace(" ", "") and "王秀英" not in page, overseer
        assert "139****1111" in page and "王**" in page, overseer


def test_the_case_list_counts_each_session_once(client_for: Any, two_teams: Any) -> None:
    """A coordinator's list joined the team's members: two mediators made one session count twice."""
    mengzhou, _songyuan, ours, _theirs = two_teams
    mediation.record_session(None, ours, held_on=date(2020, 2, 2), mediators=list(mengzhou.members.all()), notes="")
    for username in ("wuyuanzi", "yezeyun"):
        response = client_for(username).get("/volunteers/cases/")
        counted = {case.pk: case.sessions_held for case in response.context["cases"]}
        assert counted[ours.pk] == 1, username


def test_a_member_cannot_record_in_another_teams_case(demo: Any, two_teams: Any) -> None:
    _mengzhou, _songyuan, _ours, theirs = two_teams
    with pytest.raises(PermissionDenied):
        mediation.close_case(demo["yezeyun"], theirs, outcome="agreement", closed_on=date(2020, 2, 10))


def test_settled_cases_get_a_follow_up_and_parties_stay_out_of_the_audit(two_teams: Any) -> None:
    mengzhou, _songyuan, ours, _theirs = two_teams
    mediation.record_session(None, ours, held_on=date(2020, 2, 5), mediators=list(mengzhou.members.all()))
    mediation.close_case(None, ours, outcome="agreement", closed_on=date(2020, 2, 6), note="签订调解协议")
    ours.refresh_from_db()
    assert ours.follow_up_on == date(2020, 2, 6) + timedelta(days=14)
    logged = " ".join(str(e.changes) + e.object_repr for e in AuditEntry.objects.filter(action__startswith="case."))
    assert "王秀英" not in logged and "13905781111" not in logged


def test_personal_data_is_erased_when_its_retention_ends(two_teams: Any) -> None:
    mengzhou, _songyuan, ours, _theirs = two_teams
    mediation.close_case(None, ours, outcome="resolved", closed_on=date(2020, 2, 6))
    leaver = mengzhou.members.get(name="乙调解员")
    teams.member_leaves(None, leaver, on=date(2020, 3, 1))
    today = timezone.now()
    assert erasure.erase(erasure.get("volunteers.former_members"), today) == 1
    assert erasure.erase(erasure.get("volunteers.mediation_parties"), today) == ours.parties.count()
    leaver.refresh_from_db()
    assert (leaver.name, leaver.mobile) == ("（已删除）", "")
    assert set(ours.parties.values_list("mobile", flat=True)) == {""}
    assert not ours.parties.filter(name="王秀英").exists()
    assert mengzhou.members.get(name="甲调解员").mobile  # still a member: kept
