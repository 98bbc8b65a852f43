"""On a phone (390x844): a member offers their car through their duty link, a wrong plate is
named at its box, the offer waits; the team leader 老严 confirms it on the team page, and the
car joins the borrowed fleet for its day."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from fugong.directory.models import Organisation, Region
from fugong.volunteers import queries
from fugong.volunteers.models import Offer, OfferState, Team
from fugong.volunteers.services import duty, teams

from .conftest import PHONE, SHOTS_DIR

pytestmark = [pytest.mark.browser]


@pytest.fixture
def viewport() -> ViewportSize:
    return PHONE


def group_led_by_laoyan(laoyan: Any) -> Team:
    team = teams.save_team(
        None,
        name="巴邱出车演练组",
        kind="mutual_aid",
        organisation=Organisation.objects.get(short_name="峡江县局"),
        region=Region.objects.get(code="360823100"),
    )
    for index, (name, licence) in enumerate((("老严", "C1"), ("杨海军", "C1"), ("邓春生", ""))):
        teams.save_member(None, team, name=name, mobile=f"1390796{index + 81:04d}", licence=licence, consent=True)
    leader = team.members.get(name="老严")
    teams.save_member(None, team, leader, name="老严", mobile=leader.mobile, licence="C1", user=laoyan)
    teams.set_leader(None, team, leader)
    return team


def test_a_member_offers_a_car_on_the_phone_and_the_leader_confirms_it(
    page: Page, login: Callable[[str], Page], demo_world: dict[str, Any]
) -> None:
    team = group_led_by_laoyan(demo_world["laoyan"])
    owner = team.members.get(name="杨海军")
    tomorrow = timezone.localdate() + timedelta(days=1)

    page.goto(f"/volunteers/duty/{duty.duty_token(owner)}/")
    form = page.locator("form.offer-form")
    form.locator("label.choice", has=page.locator("input[name=kind][value=vehicle]")).click()
    page.select_option("select[name=vehicle_kind]", "car")
    page.fill("input[name=plate]", "赣D12")
    page.fill("input[name=capacity_cartons]", "400")
    page.fill("input[name=first_day]", tomorrow.isoformat())
    send = page.locator("button[name=offer]")
    box = send.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a thumb finds it
    send.click()
    expect(page.locator(".field.has-error[data-field=plate]")).to_be_visible()  # named at its box
    assert not Offer.objects.filter(member=owner).exists()

    page.fill("input[name=plate]", "赣D 7m351")
    page.locator("button[name=offer]").dblclick()  # an impatient double tap
    expect(page.locator(".my-offers .pill.offer-offered")).to_have_count(1)
    expect(page.locator(".my-offers")).to_contain_text("赣D·7M351")
    page.screenshot(path=f"{SHOTS_DIR}/member-offer-phone.png", full_page=True)
    offer = Offer.objects.get(member=owner)
    assert offer.state == OfferState.OFFERED
    assert offer.pk not in {v.offer_id for v in queries.fleet_for_day(tomorrow)[0]}

    login("laoyan")
    expect(page.locator(".card", has_text="赣D·7M351")).to_be_visible()  # the leader's home card
    page.goto(f"/volunteers/teams/{team.pk}/")
    waiting = page.locator("#waiting-offers")
    expect(waiting).to_contain_text("杨海军")
    expect(waiting).to_contain_text("赣D·7M351")
    page.screenshot(path=f"{SHOTS_DIR}/member-offer-leader.png", full_page=True)
    waiting.locator("button[name=confirm_offer]").click()
    expect(page.locator("#waiting-offers")).to_have_count(0)

    offer.refresh_from_db()
    assert offer.state == OfferState.CONFIRMED
    assert offer.pk in {v.offer_id for v in queries.fleet_for_day(tomorrow)[0]}
