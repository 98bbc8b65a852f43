"""A county coordinator sends a call for help from a phone, through the county's channel;
the call's thread shows whom it asked."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fugong.directory.models import Organisation
from fugong.notify.models import Message
from fugong.volunteers.services import calls

from .conftest import PHONE, SHOTS_DIR
from .test_volunteers import RIDERS, mutual_aid_group

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("viewport", [PHONE])
def test_a_county_coordinator_sends_a_call_from_the_phone(
    login: Callable[[str], Page], demo_world: dict[str, Any]
) -> None:
    team = mutual_aid_group()
    start = timezone.now() + timedelta(days=1)
    call = calls.open_call(
        None,
        Organisation.objects.get(short_name="峡江县局"),
        title="巴邱积压订单配送",
        needed=3,
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        place="巴邱网点",
        teams=[team],
    )
    page = login("xiajiang")
    page.goto(f"/volunteers/calls/{call.pk}/")
    # The county's own channel, and the only one: chosen already.
    expect(page.locator("select[name=channel] option:checked")).to_have_text("峡江县复工办（演示控制台）")
    page.locator("button[name=send]").click()
    expect(page.locator(".messages")).to_contain_text(str(len(RIDERS)))
    expect(page.locator("#thread li[data-kind=invited]")).to_contain_text("峡江县复工办（演示控制台）")
    sent = Message.objects.filter(kind=calls.MESSAGE_KIND, channel__region__code="360823")
    assert sent.count() == len(RIDERS)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#send").screenshot(path=f"{SHOTS_DIR}/call-send-phone.png")
    page.screenshot(path=f"{SHOTS_DIR}/call-thread-phone.png", full_page=True)
