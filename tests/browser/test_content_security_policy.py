"""Under the Content-Security-Policy no inline script or onclick= runs, so what they did is done by
behaviour.js from data attributes: confirmations (a cancelled one stops the submit), selects that
submit their form, a link field that selects itself. The API's docs page works under the policy
too. (The `page` fixture fails any test whose pages the policy refused something on.)"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect

from fugong.directory.models import Organisation, Region
from fugong.power.services import hall
from fugong.resumption import services as resumption
from fugong.volunteers.services import teams as volunteers

from .test_screening import screened_hall

pytestmark = [pytest.mark.browser]


def answer_next_dialog(page: Page, accept: bool) -> list[str]:
    """What the next confirm() asks, answering it with OK or Cancel."""
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", answer)
    return asked


def test_a_button_that_asks_first_does_nothing_when_cancelled(
    login: Callable[[str], Page], demo_world: dict[str, Any]
) -> None:
    team = volunteers.save_team(
        None,
        name="西演卡口值守队",
        kind="volunteer",
        organisation=Organisation.objects.get(short_name="县妇联"),
        region=Region.objects.get(code="331126001201"),
    )
    member = volunteers.save_member(None, team, name="吴月娥", mobile="13905781188", consent=True)
    page = login("wuyuanzi")
    page.goto(f"/volunteers/members/{member.pk}/")
    leaves = page.locator("button[name=leaves]")
    question = leaves.get_attribute("data-confirm")
    assert question

    asked = answer_next_dialog(page, accept=False)
    leaves.click()
    assert asked == [question]
    member.refresh_from_db()
    assert member.is_active and page.url.endswith(f"/volunteers/members/{member.pk}/")

    asked = answer_next_dialog(page, accept=True)
    leaves.click()
    expect(page.locator("button[name=leaves]")).to_have_count(0)  # the page after the submit
    assert asked == [question]
    member.refresh_from_db()
    assert not member.is_active


def test_the_duty_link_selects_itself_when_tapped(login: Callable[[str], Page], demo_world: dict[str, Any]) -> None:
    team = volunteers.save_team(
        None,
        name="西演卡口值守队",
        kind="volunteer",
        organisation=Organisation.objects.get(short_name="县妇联"),
        region=Region.objects.get(code="331126001201"),
    )
    member = volunteers.save_member(None, team, name="吴月娥", mobile="13905781188", consent=True)
    page = login("wuyuanzi")
    page.goto(f"/volunteers/members/{member.pk}/")
    field = page.locator("#duty-link input[readonly]")
    field.click()
    selected = field.evaluate("f => [f.selectionStart, f.selectionEnd, f.value.length]")
    assert selected[0] == 0 and selected[1] == selected[2] > 0


def test_a_form_that_asks_first_is_sent_only_when_confirmed(
    login: Callable[[str], Page], demo_world: dict[str, Any]
) -> None:
    site, _venue = screened_hall()
    old = hall.screen_token(site)
    page = login("qy_power")
    page.goto(f"/power/halls/{site.pk}/")
    form = page.locator("form[data-form=renew-screen]")
    question = form.get_attribute("data-confirm")

    asked = answer_next_dialog(page, accept=False)
    form.locator("button").click()
    assert asked == [question]
    site.refresh_from_db()
    assert hall.screen_token(site) == old

    asked = answer_next_dialog(page, accept=True)
    form.locator("button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert asked == [question]
    site.refresh_from_db()
    assert hall.screen_token(site) != old


def test_choosing_another_city_shows_its_index(login: Callable[[str], Page], demo_world: dict[str, Any]) -> None:
    for code in ("331100", "360800"):
        resumption.save_setup(
            None, Region.objects.get(code=code), baseline_start=date(2019, 10, 1), baseline_end=date(2019, 12, 31)
        )
    page = login("admin")
    page.goto("/resumption/")
    city = page.locator("select[name=setup]")
    other = city.locator("option:not([selected])").first
    name = other.inner_text()
    city.select_option(label=name)
    expect(page.locator("main h1")).to_contain_text(name)
    assert "setup=" in page.url


def test_the_api_docs_work_under_the_policy(login: Callable[[str], Page]) -> None:
    page = login("admin")
    page.goto("/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fugong API")
