"""A call for help, end to end: a coordinator asks for 3 drivers with tricycles, members answer
on their phones through their links, the coordinator confirms, a fourth is told it is full,
and the confirmed appear in the borrowed fleet for that day."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from fugong.directory.models import Organisation, Region, Site
from fugong.notify.models import Message
from fugong.volunteers import queries
from fugong.volunteers.models import HelpAnswer, Member, Shift, ShiftAssignment, Team
from fugong.volunteers.services import shifts, teams

from .conftest import PHONE

pytestmark = [pytest.mark.browser]

RIDERS = ["老严", "何娣", "严小平", "胡春花"]


def mutual_aid_group() -> Team:
    bureau = Organisation.objects.get(short_name="峡江县局")
    team = teams.save_team(
        None,
        name="巴邱诚信互助演练组",
        kind="mutual_aid",
        organisation=bureau,
        region=Region.objects.get(code="360823100"),
    )
    for index, name in enumerate(RIDERS):
        member = teams.save_member(
            None, team, name=name, mobile=f"1390796{index + 71:04d}", licence="D", e_tricycle_licence=True, consent=True
        )
        teams.save_offer(
            None, member, kind="vehicle", vehicle_kind="tricycle", capacity_cartons=40, plate=f"赣D·T{index}"
        )
    return team


def answer_on_phone(browser: Browser, live_server: Any, link: str, *, yes: bool) -> Page:
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto(urlparse(link).path)
    phone.locator(f"button[name=answer][value={'yes' if yes else 'no'}]").click()
    return phone


def test_a_call_for_three_drivers_with_tricycles(
    login: Callable[[str], Page], browser: Browser, live_server: Any, demo_world: dict[str, Any]
) -> None:
    team = mutual_aid_group()
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = login("huyao")  # the market manager at the Baqiu network point
    page.goto("/volunteers/calls/new/")
    page.fill("input[name=title]", "巴邱积压订单配送")
    page.fill("input[name=needed]", "3")
    page.select_option("select[name=vehicle_kind]", "tricycle")
    page.fill("input[name=starts_at]", f"{tomorrow:%Y-%m-%d}T06:00")
    page.fill("input[name=ends_at]", f"{tomorrow:%Y-%m-%d}T20:00")
    page.fill("input[name=place]", "巴邱网点")
    page.locator(f"input[name=teams][value='{team.pk}']").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("巴邱积压订单配送")
    page.select_option("select[name=channel]", label="峡江县局（演示控制台）")
    page.locator("button[name=send]").click()
    expect(page.locator(".messages")).to_contain_text("4")

    links = {
        Member.objects.get(team=team, mobile=m.recipient).name: m.parameters["link"]
        for m in Message.objects.filter(kind="volunteer_call")
    }
    assert sorted(links) == sorted(RIDERS)
    for name in RIDERS[:3]:
        phone = answer_on_phone(browser, live_server, links[name], yes=True)
        expect(phone.locator("#outcome")).to_be_visible()
        phone.context.close()

    page.reload()
    for name in RIDERS[:3]:
        expect(page.locator(f"#answers tr[data-member='{name}']")).to_be_visible()  # everyone sees who answered
        page.locator(f"#answers tr[data-member='{name}'] input[name=member]").check()
    page.locator("button[name=confirm]").click()
    expect(page.locator("main p .pill")).to_have_class("pill full")

    late = answer_on_phone(browser, live_server, links[RIDERS[3]], yes=True)
    expect(late.locator("#outcome")).to_have_class("panel alert")
    assert HelpAnswer.objects.get(member__name=RIDERS[3]).status == "too_late"
    late.context.close()

    confirmed = answer_on_phone(browser, live_server, links[RIDERS[0]], yes=True)  # the link shows the details now
    expect(confirmed.locator("#outcome h2")).to_be_visible()
    confirmed.context.close()

    page.goto(f"/volunteers/fleet/?day={tomorrow:%Y-%m-%d}")
    for name in RIDERS[:3]:
        expect(page.locator("#drivers")).to_contain_text(name)
        expect(page.locator("#vehicles")).to_contain_text(name)
    expect(page.locator("#drivers")).not_to_contain_text(RIDERS[3])
    vehicles, drivers = queries.fleet_for_day(tomorrow)
    assert sorted(d.name for d in drivers if d.team == team.name) == sorted(RIDERS[:3])
    assert sorted(v.owner for v in vehicles if v.call_id) == sorted(RIDERS[:3])


def test_a_member_without_an_account_checks_in_on_the_phone(
    login: Callable[[str], Page], browser: Browser, live_server: Any, demo_world: dict[str, Any]
) -> None:
    """The leader shows the member's duty link as a QR code; the member opens it on the phone at
    the checkpoint, checks in and later out; the roster shows the times."""
    federation = Organisation.objects.get(short_name="县妇联")
    team = teams.save_team(
        None,
        name="西演卡口值守队",
        kind="volunteer",
        organisation=federation,
        region=Region.objects.get(code="331126001201"),
    )
    member = teams.save_member(None, team, name="吴月娥", mobile="13905781188", consent=True)
    now = timezone.now()
    shift = Shift.objects.create(
        site=Site.objects.get(name="西演村卡口"),
        team=team,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=4),
    )
    shifts.assign(None, shift, member)

    page = login("wuyuanzi")
    page.goto(f"/volunteers/members/{member.pk}/")
    expect(page.locator("#duty-link .qr svg")).to_be_visible()
    link = page.locator("#duty-link input[readonly]").input_value()

    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto(urlparse(link).path)
    expect(phone.locator("main")).to_contain_text("吴月娥")
    phone.locator("button[name=action][value=in]").tap()
    expect(phone.locator(".messages")).to_contain_text("已签到")
    phone.locator("button[name=action][value=out]").tap()
    expect(phone.locator(".duties")).to_contain_text("✓")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing to scroll sideways
    context.close()

    page.goto(f"/volunteers/shifts/{shift.pk}/")
    signed = ShiftAssignment.objects.get(shift=shift, member=member)
    assert signed.signed_in_at is not None and signed.signed_out_at is not None
    expect(page.locator("main")).to_contain_text(f"吴月娥 签到 {timezone.localtime(signed.signed_in_at):%H:%M}")
