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
