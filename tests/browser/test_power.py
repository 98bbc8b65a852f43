"""The service hall's queue in the browser: a visitor admitted at the door takes a number on
their phone, window 2 calls it and serves it, and the hall screen and the visitor's phone
follow each step."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from fugong.power.models import Ticket
from fugong.power.services import hall
from fugong.screening.services import venues

from .conftest import PHONE, SHOTS_DIR, watch_csp
from .test_screening import check_in, screened_hall

pytestmark = [pytest.mark.browser]


def test_take_a_number_call_it_to_window_2_and_serve_it(
    login: Callable[[str], Page], browser: Browser, live_server: Any
) -> None:
    site, venue = screened_hall()
    hall.save_window(None, site, number=1, kinds=["invoice"])
    window = hall.save_window(None, site, number=2, kinds=["pay_bill", "invoice", "consultation"])
    hall.save_window(None, site, number=3, kinds=["installation", "suspension"])

    # The hall's TV, signed in as nobody.
    tv_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    refused_on_tv = watch_csp(tv_context)
    tv = tv_context.new_page()
    tv.goto(f"/power/screen/{hall.screen_token(site)}/")
    expect(tv.locator("[data-window='2'] .big-number")).to_have_text("—")
    # The sound button says whether the numbers are called aloud, and changes when tapped.
    sound = tv.locator("[data-sound]")
    expect(sound).to_contain_text("声音关")
    sound.click()
    expect(sound).to_contain_text("声音开")
    expect(sound).to_have_attribute("aria-pressed", "true")
    sound.click()
    expect(sound).to_contain_text("声音关")

    # A visitor checks in on their phone, is admitted and takes a number for paying a bill.
    phone_context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True)
    refused_on_phone = watch_csp(phone_context)
    phone = phone_context.new_page()
    check_in(
        phone, f"/screening/v/{venues.venue_token(venue)}/", name="王大伯", temperature="36.6", mobile="13905781234"
    )
    phone.click("[data-next-step]")
    phone.click("button[name=kind][value=pay_bill]")
    phone.wait_for_url("**/power/ticket/**")
    expect(phone.locator("[data-code]")).to_have_text("A001")
    expect(phone.locator("[data-ahead]")).to_contain_text("0")
    expect(phone.locator("[data-windows]")).to_have_text("交电费：2号窗口")  # where paying a bill is done
    phone.screenshot(path=f"{SHOTS_DIR}/power-ticket-phone.png", full_page=True)

    # Window 2 calls the next number.
    page = login("hufenfen")
    page.goto(f"/power/windows/{window.pk}/")
    page.click("form[data-form=window] button[value=next]")
    expect(page.locator("[data-current]")).to_contain_text("A001")
    expect(tv.locator("[data-called]")).to_have_text("A001")
    expect(tv.locator("[data-called-window]")).to_contain_text("2")
    expect(tv.locator("[data-window='2'] .big-number")).to_have_text("A001")
    expect(phone.locator("[data-window]")).to_contain_text("2", timeout=8_000)
    tv.screenshot(path=f"{SHOTS_DIR}/power-hall-screen.png", full_page=True)

    # Served: the window is free, the screen clears it, the phone says so.
    page.click("form[data-form=window] button[value=served]")
    expect(page.locator("[data-current]")).to_have_text("—")
    expect(tv.locator("[data-window='2'] .big-number")).to_have_text("—")
    ticket = Ticket.objects.get()
    assert ticket.status == "served" and ticket.window == window and ticket.checkin is not None
    expect(phone.locator(".result")).to_contain_text("已办理", timeout=8_000)
    # The TV and the visitor's phone work under the Content-Security-Policy (a round trip each first,
    # so that every report has arrived).
    tv.evaluate("0")
    phone.evaluate("0")
    assert refused_on_tv == [] and refused_on_phone == []


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_urgent_power_cut_goes_to_the_stations_electrician_who_restores_it_on_the_phone(
    login: Callable[[str], Page], live_server: Any
) -> None:
    """#21 items 7 and 9 on the phone: the supervisor takes an elderly resident's power-cut call
    (urgent by its kind), sends the county town's station's electrician in one step; he finds
    the address on his field page and records supply back; the supervisor reads the SMS sent."""
    from fugong.directory.models import Organisation, Region
    from fugong.notify.models import Channel
    from fugong.power.models import PowerAccount
    from fugong.power.services import priority, telling

    company = Organisation.objects.get(short_name="国网庆元县供电公司")
    telling.install_templates(None, Channel.objects.get(organisation=company))
    village = Region.objects.get(code="331126003202")
    account = PowerAccount.objects.create(
        organisation=company,
        number="3312609001",
        holder="测试奶奶",
        kind="resident",
        voltage="low",
        billing="single",
        capacity_kva=6,
        region=village,
        supply_station="城区供电所",
        search_key="测试奶奶",
    )
    resident = priority.save_resident(
        None,
        company,
        name="测试奶奶",
        kind="elderly_alone",
        phone="0578-6229999",
        address="会溪村8号",
        region=village,
        contact_name="测试儿子",
        contact_phone="13905788888",
        account=account,
    )
    page = login("hufenfen")
    page.goto(f"/power/priority/residents/{resident.pk}/")
    form = page.locator("[data-form=call]")
    form.locator("select[name=kind]").select_option("power_cut")
    form.locator("textarea[name=need]").fill("家里停电，老人独居")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/priority/calls/**")
    expect(page.locator("h1 .pill.failed")).to_be_visible()  # urgent, as a power cut is
    repair = page.locator("[data-form=repair]")
    expect(repair).to_contain_text("城区供电所")
    expect(repair.locator("select[name=worker] option").nth(1)).to_have_text("叶建国")  # the station's crew
    expect(repair.locator("select[name=worker]")).not_to_contain_text("胡芬芬")  # not the hall's counter
    repair.locator("select[name=worker]").select_option(label="叶建国")
    page.screenshot(path=f"{SHOTS_DIR}/power-call-repair-phone.png", full_page=True)
    repair.locator("button[type=submit]").click()
    expect(page.locator("[data-repair-order]")).to_contain_text("叶建国")
    # The son was told, in words addressed to him.
    page.goto("/notify/")
    expect(page.locator("table.outbox")).to_contain_text("139****8888")
    page.screenshot(path=f"{SHOTS_DIR}/power-outbox-supervisor-phone.png", full_page=True)

    page.context.clear_cookies()
    page = login("yejianguo")
    page.goto("/power/field/")
    order = page.locator("[data-repair]")
    expect(order).to_contain_text("会溪村8号")
    expect(order.locator("a[href='tel:13905788888']")).to_be_visible()
    page.screenshot(path=f"{SHOTS_DIR}/power-field-repair-phone.png", full_page=True)
    order.locator("input[name=note]").fill("更换熔丝，已送电")
    order.locator("button[type=submit]").click()
    expect(page.locator("[data-repair]")).to_have_count(0)
