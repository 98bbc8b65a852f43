"""Recording activities and aid from other systems (a phone app, the federation's own forms)."""

from typing import Any

import pytest
from django.utils import timezone

from fugong.directory.models import Organisation
from fugong.volunteers.models import Activity, Team
from fugong.volunteers.services import ledger

from .conftest import make_team


@pytest.fixture
def team(federation: Organisation) -> Team:
    return make_team(federation, "西演测试帮帮团", "volunteer", "331126001201", ["甲", "乙"])


def _activity(team: Team, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "care_visit",
        "title": "走访独居老人",
        "held_on": "2026-11-20",
        "participant_ids": list(team.members.values_list("pk", flat=True)),
        "people_served": 6,
    } | extra


def test_a_resent_activity_is_counted_once(client_for: Any, team: Team) -> None:
    client = client_for("wuyuanzi")
    url = f"/api/volunteers/teams/{team.pk}/activities"
    first = client.post(url, _activity(team), content_type="application/json", HTTP_IDEMPOTENCY_KEY="visit-1")
    again = client.post(url, _activity(team), content_type="application/json", HTTP_IDEMPOTENCY_KEY="visit-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Activity.objects.filter(team=team).count() == 1
    listed = client.get(url, {"first_day": "2026-11-01", "last_day": "2026-11-30"}).json()
    assert [(a["title"], a["participants"], a["people_served"]) for a in listed] == [("走访独居老人", 2, 6)]


def test_participants_from_another_team_are_named_and_nothing_is_written(
    client_for: Any, team: Team, federation: Organisation
) -> None:
    other = make_team(federation, "会溪测试帮帮团", "volunteer", "331126003202", ["丙"])
    stranger = other.members.get()
    response = client_for("wuyuanzi").post(
        f"/api/volunteers/teams/{team.pk}/activities",
        _activity(team, participant_ids=[stranger.pk]),
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["errors"]["participant_ids"][0]
    assert str(stranger.pk) in error
    assert "丙" not in error  # an id from another team reveals no name
    assert not Activity.objects.exists()


def test_numbers_too_large_for_the_database_are_refused_not_a_server_error(client_for: Any, team: Team) -> None:
    """A 20-digit participant id, or an offset past what the database counts, is a 422 naming
    the field; it used to overflow the database's integer and answer 500."""
    client = client_for("wuyuanzi")
    url = f"/api/volunteers/teams/{team.pk}/activities"
    response = client.post(url, _activity(team, participant_ids=[10**19]), content_type="application/json")
    assert response.status_code == 422 and "participant_ids" in str(response.json()["errors"])
    assert not Activity.objects.exists()
    for listing in ("regions", "sites", "organisations"):
        response = client.get(f"/api/directory/{listing}", {"offset": 10**20})
        assert response.status_code == 422 and "offset" in str(response.json()["errors"]), listing


def test_the_ledger_refuses_to_hand_out_more_than_it_holds(client_for: Any, team: Team) -> None:
    client = client_for("wuyuanzi")
    url = f"/api/volunteers/teams/{team.pk}/aid"
    received = {"item": "mother_parcel", "quantity": 30, "on": "2026-11-01", "counterparty": "县妇联"}
    assert client.post(url, received, content_type="application/json").status_code == 201
    too_many = received | {"quantity": -31, "counterparty": "西演村"}
    response = client.post(url, too_many, content_type="application/json")
    assert response.status_code == 422
    assert "30" in response.json()["errors"]["quantity"][0]
    assert client.get(url).json()["stock"] == {"mother_parcel": 30}
    assert ledger.stock(team) == {"mother_parcel": 30}


def test_teams_of_another_organisation_are_not_reachable(client_for: Any, team: Team) -> None:
    bureau_clerk = client_for("huyao")
    assert team.name not in {t["name"] for t in bureau_clerk.get("/api/volunteers/teams").json()}
    assert bureau_clerk.get(f"/api/volunteers/teams/{team.pk}/aid").status_code == 404
    response = bureau_clerk.post(
        f"/api/volunteers/teams/{team.pk}/activities", _activity(team), content_type="application/json"
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_the_days_fleet_lists_lent_vehicles_with_their_drivers(client_for: Any, demo_volunteers: Any) -> None:
    response = client_for("huanghuiyun").get("/api/volunteers/fleet", {"day": timezone.localdate().isoformat()})
    fleet = response.json()
    tricycle = next(v for v in fleet["vehicles"] if v["owner"] == "老严")
    assert (tricycle["vehicle_kind"], tricycle["capacity_cartons"]) == ("e_tricycle", 400)
    assert set(tricycle["driver_ids"]) <= {d["member_id"] for d in fleet["drivers"]}


def test_a_coordinator_sees_only_their_own_countys_fleet(client_for: Any, demo_volunteers: Any) -> None:
    """Plates, owners and drivers' mobiles of Xiajiang's lent vehicles are for Xiajiang's planners:
    Qingyuan's coordinator and the city office see none of them, on the page or through the API."""
    day = {"day": timezone.localdate().isoformat()}
    owners = {v["owner"] for v in client_for("xiajiang").get("/api/volunteers/fleet", day).json()["vehicles"]}
    assert "老严" in owners
    for username in ("qingyuan", "lishui"):
        fleet = client_for(username).get("/api/volunteers/fleet", day).json()
        assert "老严" not in {v["owner"] for v in fleet["vehicles"]}, username
        assert "老严" not in client_for(username).get("/volunteers/fleet/", day).content.decode(), username
