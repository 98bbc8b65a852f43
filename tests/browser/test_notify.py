"""A broadcast to the bureau's shops on a phone: the template picked by its name, the audience's
filters appearing once it is chosen, the parameters each shop fills marked so, the first message
previewed whole, then sent; and the outbox filtered by that kind."""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from fugong.delivery.models import Shop
from fugong.demo.delivery import load_delivery
from fugong.demo.volunteers import load_volunteers
from fugong.directory.models import Site
from fugong.notify.kinds import label_of
from fugong.notify.models import Channel, Message

from .conftest import PHONE, SHOTS_DIR

pytestmark = [pytest.mark.browser]


@pytest.fixture
def viewport() -> Any:
    return PHONE


def test_the_bureau_tells_a_network_points_shops_on_a_phone(
    login: Callable[[str], Page], demo_world: dict[str, Any]
) -> None:
    load_volunteers(mutual_aid_only=True)
    load_delivery()
    channel = Channel.objects.get(name="峡江县局（演示控制台）")
    baqiu = Site.objects.get(name="巴邱网点")
    first = Shop.objects.filter(network_point=baqiu).order_by("licence_number").first()
    assert first is not None
    with translation.override(settings.LANGUAGE_CODE):
        label = label_of("order_dispatched")

    page = login("huanghuiyun")
    page.goto("/notify/broadcasts/new/")
    page.fill("#id_title", "巴邱网点送货通知")
    page.select_option("#id_template", f"{channel.pk}:order_dispatched")
    expect(page.locator("[data-field=template] .help")).to_contain_text("{eta}")  # the text, once it is picked
    expect(page.locator("#id_template option:checked")).to_have_text(label)  # its name, not order_dispatched
    page.select_option("#id_audience", "delivery_shops")
    network_point = page.locator("#id_filter_network_point")  # appears once the audience is chosen
    expect(network_point).to_be_visible()
    network_point.select_option(str(baqiu.pk))
    expect(page.locator("#id_param_shop")).to_be_disabled()  # each shop fills its own name
    page.fill("#id_param_eta", "明天上午")
    page.locator("form.broadcast-form button:not([name])").click()

    preview = page.locator(".preview")
    expect(preview.locator(".recipient-count")).to_contain_text("118")
    expect(preview.locator(".message-text")).to_have_text(
        f"{first.name}，您订购的卷烟已排入今日配送，预计 明天上午 送达，请在店内等候收货。"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.screenshot(path=f"{SHOTS_DIR}/notify-broadcast-phone.png", full_page=True)
    preview.locator("button[name=confirm]").click()
    page.wait_for_url("**/notify/broadcasts/*/")
    assert Message.objects.filter(broadcast__title="巴邱网点送货通知").count() == 118

    page.goto("/notify/")
    page.select_option("#id_kind", "order_dispatched")
    page.locator("form.outbox-filter button").click()
    expect(page.locator("table.outbox tbody tr")).to_have_count(50)  # a page of them
    expect(page.locator("table.outbox tbody tr").first).to_contain_text(label)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"{SHOTS_DIR}/notify-outbox-phone.png", full_page=True)
