"""A member offers a vehicle, time or a skill from their phone (signed in or through their duty
link); the team leader confirms or declines it; only confirmed offers join the fleet and can be
brought to a call for help."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.directory.models import Organisation
from fugong.volunteers import queries
from fugong.volunteers.models import Offer, OfferState, Team
from fugong.volunteers.services import calls, duty, offers, teams

from .conftest import make_team


@pytest.fixture
def group(demo: Any) -> Team:
    """A mutual-aid group led by 老严 (who signs in as laoyan): 严 drives a car, 何 rides an
    e-tricycle, 胡 has no licence."""
    bureau = Organisation.objects.get(short_name="峡江县局")
    team = make_team(bureau, "巴邱测试互助组", "mutual_aid", "360823100", ["老严", "严小平", "何娣", "胡春花"])
    for name, licence, e_tricycle in (("严小平", "C1", False), ("何娣", "", True)):
        member = team.members.get(name=name)
        teams.save_member(
            None, team, member, name=name, mobile=member.mobile, licence=licence, e_tricycle_licence=e_tricycle
        )
    leader = team.members.get(name="老严")
    leader.user = demo["laoyan"]
    leader.save()
    teams.set_leader(None, team, leader)
    return team


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def car_offer(**changes: Any) -> dict[str, Any]:
    day = tomorrow().isoformat()
    form = {
        "offer": "1",
        "kind": "vehicle",
        "vehicle_kind": "car",
        "plate": "赣d 7m351",
        "capacity_cartons": "400",
        "first_day": day,
        "last_day": day,
        "starts": "06:00",
        "until": "21:00",
        "note": "后备箱能装",
        "client_key": "tap-1",
    }
    return form | changes


def test_a_member_offers_their_car_through_the_duty_link_and_it_waits_for_the_leader(group: Team) -> None:
    owner = group.members.get(name="严小平")
    page = reverse("volunteers:duty", args=[duty.duty_token(owner)])
    phone = Client()
    form = phone.get(page).content.decode()
    assert 'name="plate"' in form and 'name="drivers"' in form and 'name="client_key"' in form

    phone.post(page, car_offer(member=owner.pk))
    phone.post(page, car_offer(member=owner.pk))  # a double tap sends the same key again
    offer = Offer.objects.get(member=owner)
    assert offer.state == OfferState.OFFERED
    assert offer.plate == "赣D·7M351"
    assert list(offer.drivers.all()) == [owner]  # nobody ticked: the owner, who holds a C1
    assert [timezone.localtime(w.starts_at).hour for w in offer.windows.all()] == [6]
    assert "赣D·7M351" in phone.get(page).content.decode()  # on their page, waiting

    vehicles, _drivers = queries.fleet_for_day(tomorrow())
    assert offer.pk not in {v.offer_id for v in vehicles}  # not in the fleet until confirmed


def test_a_plate_that_is_not_one_is_refused_by_its_field(group: Team) -> None:
    owner = group.members.get(name="严小平")
    page = reverse("volunteers:duty", args=[duty.duty_token(owner)])
    refused = Client(HTTP_ACCEPT_LANGUAGE="en").post(page, car_offer(member=owner.pk, plate="ABC123"))
    body = refused.content.decode()
    assert refused.status_code == 200
    assert 'class="field has-error" data-field="plate"' in body
    assert "is not a number plate" in body
    missing = Client().post(page, car_offer(member=owner.pk, plate="", client_key="tap-2")).content.decode()
    assert 'class="field has-error" data-field="plate"' in missing
    assert not Offer.objects.filter(member=owner).exists()


def test_who_may_drive_it_are_licensed_members_of_the_team(group: Team) -> None:
    rider, unlicensed = group.members.get(name="何娣"), group.members.get(name="胡春花")
    days = offers.Days(
        tomorrow(), tomorrow(), datetime.min.time().replace(hour=6), datetime.min.time().replace(hour=12)
    )
    with pytest.raises(ValidationError) as refused:
        offers.offer_from_member(
            None, unlicensed, days=days, kind="vehicle", vehicle_kind="tricycle", capacity_cartons=300
        )
    assert "drivers" in refused.value.message_dict
    offer = offers.offer_from_member(
        None,
        unlicensed,
        days=days,
        kind="vehicle",
        vehicle_kind="tricycle",
        capacity_cartons=300,
        drivers=[rider],
    )
    assert list(offer.drivers.all()) == [rider]
    with pytest.raises(ValidationError):  # a car needs a car licence
        offers.offer_from_member(
            None, rider, days=days, kind="vehicle", vehicle_kind="car", capacity_cartons=300, plate="赣D12345"
        )


def test_the_leader_confirms_on_the_team_page_and_the_car_joins_the_fleet_and_calls(
    group: Team, client_for: Any
) -> None:
    owner = group.members.get(name="严小平")
    Client().post(reverse("volunteers:duty", args=[duty.duty_token(owner)]), car_offer(member=owner.pk))
    offer = Offer.objects.get(member=owner)
    call = calls.open_call(
        None,
        group.organisation,
        title="巴邱配送",
        needed=1,
        starts_at=timezone.make_aware(datetime.combine(tomorrow(), datetime.min.time().replace(hour=7))),
        ends_at=timezone.make_aware(datetime.combine(tomorrow(), datetime.min.time().replace(hour=12))),
        place="巴邱网点",
        teams=[group],
        vehicle_kind="car",
    )
    assert not calls.suitable_vehicles(call, owner).exists()

    leader = client_for("laoyan")
    team_page = reverse("volunteers:team", args=[group.pk])
    listed = leader.get(team_page).content.decode()
    assert 'id="waiting-offers"' in listed and "赣D·7M351" in listed and "严小平（C1）" in listed
    leader.post(team_page, {"confirm_offer": offer.pk})
    offer.refresh_from_db()
    assert offer.state == OfferState.CONFIRMED
    assert offer.decided_by is not None and offer.decided_by.username == "laoyan"
    assert 'id="waiting-offers"' not in leader.get(team_page).content.decode()
    vehicles, drivers = queries.fleet_for_day(tomorrow())
    assert offer.pk in {v.offer_id for v in vehicles}
    assert owner.pk in {d.member_id for d in drivers}
    assert list(calls.suitable_vehicles(call, owner)) == [offer]
    with pytest.raises(ValidationError):  # decided once
        offers.decide_offer(None, offer, confirm=False)


def test_a_declined_offer_stays_out_and_only_the_leader_or_office_decides(group: Team, demo: Any) -> None:
    owner = group.members.get(name="严小平")
    days = offers.Days(tomorrow(), tomorrow() + timedelta(days=2), datetime.min.time(), datetime.max.time())
    offer = offers.offer_from_member(None, owner, days=days, kind="time", note="三天都有空")
    assert offer.windows.count() == 3
    with pytest.raises(PermissionDenied):
        offers.decide_offer(demo["yezeyun"], offer, confirm=True)  # another county's leader
    offers.decide_offer(demo["huyao"], offer, confirm=False)  # the bureau's office
    offer.refresh_from_db()
    assert offer.state == OfferState.DECLINED and offer.decided_at is not None


def test_a_signed_in_member_offers_on_their_own_page(group: Team, client_for: Any) -> None:
    me = reverse("volunteers:me")
    leader = client_for("laoyan")
    assert 'name="kind"' in leader.get(me).content.decode()
    mine = group.members.get(name="老严")
    leader.post(me, car_offer(member=mine.pk, kind="skill", skill="loading", plate="", client_key="k"))
    offer = Offer.objects.get(member__name="老严", member__team=group)
    # The leader's own offer waits like anyone's until it is confirmed on the team page.
    assert (offer.kind, offer.skill, offer.state) == ("skill", "loading", OfferState.OFFERED)


def test_what_the_office_enters_is_confirmed_at_once(group: Team, demo: Any) -> None:
    owner = group.members.get(name="严小平")
    offer = teams.save_offer(demo["huyao"], owner, kind="vehicle", vehicle_kind="van", capacity_cartons=900)
    assert offer.state == OfferState.CONFIRMED and offer.decided_by == demo["huyao"]
    with pytest.raises(ValidationError):
        teams.save_offer(None, owner, kind="vehicle", vehicle_kind="van", capacity_cartons=900, plate="12345")
