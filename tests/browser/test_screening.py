"""At the service hall's door: staff print the venue code; on a phone, a visitor with a fever is
refused, a green visitor admitted, and a grandson registers his grandmother who has no phone;
the staff console shows all three."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from fugong.demo.screening import _hall_staff
from fugong.directory.models import Site
from fugong.screening.models import CheckIn, StaffTemperature
from fugong.screening.services import policies, venues

from .conftest import PHONE, SHOTS_DIR

pytestmark = [pytest.mark.browser]


def check_in(phone: Page, path: str, *, name: str, temperature: str, mobile: str = "", grandma_id: str = "") -> None:
    phone.goto(path)
    if grandma_id:
        phone.check("input[name=for_someone_else]")
        phone.fill("input[name=companion_name]", "毛小军")
        phone.fill("input[name=companion_mobile]", "13905781111")
        phone.fill("input[name=id_number]", grandma_id)
    else:
        phone.fill("input[name=mobile]", mobile)
    phone.fill("input[name=name]", name)
    phone.fill("input[name=check_temperature]", temperature)
    phone.check("input[name=check_health_code][value=green]")
    phone.check("input[name=check_mask][value=yes]")
    phone.click("form.visit-form button[type=submit]")
    phone.wait_for_url("**/screening/r/**")


def screened_hall() -> tuple[Site, Any]:
    """Qingyuan's service hall with its venue code and the seed's rule at the door."""
    site = Site.objects.get(name="客户服务中心营业厅")
    venue = venues.open_venue(None, site)
    policies.create_policy(
        None,
        site=site,
        name="一测温二登记三受理",
        checks=policies.MEASURE_REGISTER_SERVE,
        effective_from=timezone.now() - timedelta(hours=1),
    )
    return site, venue


def test_poster_phone_check_ins_and_the_console(
    login: Callable[[str], Page], browser: Browser, live_server: Any
) -> None:
    _site, venue = screened_hall()

    page = login("hufenfen")
    page.click("nav.mainnav >> text=入场核验")
    page.click("text=客户服务中心营业厅")
    expect(page.locator("h1")).to_contain_text("客户服务中心营业厅")
    poster = page.request.get(page.get_attribute("a:has-text('打印场所码')", "href") or "")
    assert poster.ok and poster.headers["content-type"] == "application/pdf" and poster.body()[:4] == b"%PDF"
    link = page.locator("[data-venue-link]").inner_text()
    path = urlparse(link).path

    phone = browser.new_context(
        viewport=PHONE, base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True
    ).new_page()
    check_in(phone, path, name="叶发热", mobile="13905782222", temperature="38.2")
    expect(phone.locator("#result")).to_have_class("result refuse")
    expect(phone.locator("#result .verdict")).to_have_text("禁止入场")
    expect(phone.locator("#result .site")).to_have_text("客户服务中心营业厅")
    phone.screenshot(path=f"{SHOTS_DIR}/screening-refused.png")

    check_in(phone, path, name="吴绿码", mobile="13905783333", temperature="36.4")
    expect(phone.locator("#result")).to_have_class("result admit")
    expect(phone.locator("#result .verdict")).to_have_text("准予入场")
    phone.screenshot(path=f"{SHOTS_DIR}/screening-admitted.png")

    check_in(phone, path, name="毛奶奶", grandma_id="11010519491231002X", temperature="36.6")
    expect(phone.locator("#result")).to_have_class("result admit")
    expect(phone.locator("#result .who")).to_contain_text("毛*")
    expect(phone.locator("#result .who")).to_contain_text("毛**")  # registered by the grandson

    page.goto(f"/screening/sites/{venue.pk}/console/")
    rows = page.locator("table.feed tbody tr[data-checkin]")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-count=admit]")).to_have_text("2")
    expect(page.locator("[data-count=refuse]")).to_have_text("1")
    expect(page.locator("table.feed")).to_contain_text("139****2222")
    expect(page.locator("table.feed")).to_contain_text("1101**********002X")
    page.screenshot(path=f"{SHOTS_DIR}/screening-console.png", full_page=True)
    assert CheckIn.objects.filter(companion_name="毛小军", id_number="11010519491231002X").count() == 1

    page.goto(f"/screening/sites/{venue.pk}/")  # the venue page's chart of the days, today last
    expect(page.locator("[data-chart] canvas").first).to_be_visible()
    today = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-chart]')).getOption()"
        ".series.map(s => s.data[s.data.length - 1])"
    )
    assert sorted(today, reverse=True)[:2] == [2, 1] and sum(today) == 3


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_staff_fever_on_a_phone_is_an_alert_until_she_is_sent_home(login: Callable[[str], Page]) -> None:
    """#21 item 1: 沈国庆 37.8 °C is not "recorded" in black; the supervisor sees the alert on the
    log and her home page, says what was done, and a 34.0 reading asks to measure again."""
    _site, venue = screened_hall()
    _hall_staff(venue.site)
    page = login("hufenfen")
    page.goto(f"/screening/sites/{venue.pk}/hygiene/")
    page.select_option("select[name=staff]", label="沈国庆")
    page.fill("input[name=temperature]", "34.0")
    page.click("button:has-text('登记体温')")
    expect(page.locator("[data-field=temperature] .error")).to_contain_text("34.0")
    assert not StaffTemperature.objects.exists()

    page.select_option("select[name=staff]", label="沈国庆")
    page.fill("input[name=temperature]", "37.8")
    page.click("button:has-text('登记体温')")
    expect(page.locator(".messages li.error")).to_contain_text("37.8")
    fever = page.locator("[data-fevers]")
    expect(fever).to_contain_text("沈国庆")
    reading = page.locator(".reading.fever")
    expect(reading).to_have_text("37.8 °C")
    assert reading.evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"  # red, not plain black
    page.screenshot(path=f"{SHOTS_DIR}/screening-staff-fever-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

    page.goto("/")
    card = page.locator("article.home-card.alert", has_text="37.8 °C")  # not the overdue card, which may name her
    expect(card).to_be_visible()
    page.screenshot(path=f"{SHOTS_DIR}/screening-staff-fever-home-phone.png", full_page=True)
    card.locator("a.card-main").click()
    page.locator("[data-fevers] button[value=sent_home]").click()
    expect(page.locator("[data-fevers]")).to_have_count(0)
    expect(page.locator(".reading.fever")).to_have_text("37.8 °C")  # still marked on the board
    assert StaffTemperature.objects.get(temperature="37.8").action == "sent_home"


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_referral_on_a_phone_says_why_and_is_measured_before_admitting(
    login: Callable[[str], Page], browser: Browser, live_server: Any
) -> None:
    """#21 item 2: a visitor with a yellow code who left the temperature blank is referred; the
    console on the supervisor's phone says why, and admits her only once she is measured."""
    _site, venue = screened_hall()
    phone = browser.new_context(
        viewport=PHONE, base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(urlparse(venues.venue_link(venue)).path)
    phone.fill("input[name=mobile]", "13905784444")
    phone.fill("input[name=name]", "叶黄码")
    phone.check("input[name=check_health_code][value=yellow]")
    phone.check("input[name=check_mask][value=yes]")
    phone.click("form.visit-form button[type=submit]")
    expect(phone.locator("#result")).to_have_class("result refer")
    record = CheckIn.objects.get()

    page = login("hufenfen")
    page.goto(f"/screening/sites/{venue.pk}/console/")
    referral = page.locator(f"#referrals li[data-checkin='{record.pk}']")
    expect(referral.locator("[data-reasons]")).to_contain_text("健康码: 黄码")
    expect(referral.locator("[data-reasons]")).to_contain_text("体温: 未测")
    page.screenshot(path=f"{SHOTS_DIR}/screening-referral-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    referral.locator("button[value=admit]").click()
    expect(page.locator(f"#referrals li[data-checkin='{record.pk}'] .error")).to_be_visible()
    record.refresh_from_db()
    assert record.resolved_at is None
    referral = page.locator(f"#referrals li[data-checkin='{record.pk}']")
    referral.locator("input[name=temperature]").fill("36.6")
    referral.locator("button[value=admit]").click()
    expect(page.locator(f"#referrals li[data-checkin='{record.pk}']")).to_have_count(0)
    record.refresh_from_db()
    assert record.final_decision == "admit" and str(record.temperature) == "36.6"
    expect(phone.locator("#result")).to_have_class("result admit", timeout=15_000)  # the visitor's screen follows


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_the_phone_form_sent_again_after_back_checks_in_once(page: Page, demo_world: Any) -> None:
    """#21 item 3: Back reloads the form (with a new nonce); sending it again shows the first result."""
    _site, venue = screened_hall()
    path = urlparse(venues.venue_link(venue)).path
    check_in(page, path, name="吴重复", mobile="13905785555", temperature="36.5")
    first = page.url
    page.go_back()
    page.wait_for_url(f"**{path}")
    if page.input_value("input[name=mobile]") == "":  # the browser did not keep what was typed
        check_in(page, path, name="吴重复", mobile="13905785555", temperature="36.5")
    else:
        page.click("form.visit-form button[type=submit]")
        page.wait_for_url("**/screening/r/**")
    assert page.url == first
    assert CheckIn.objects.filter(mobile="+8613905785555").count() == 1
