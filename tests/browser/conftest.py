"""Fixtures for the Playwright browser tests: Debian's chromium against pytest-django's live server.

Playwright's sync API runs an asyncio event loop in the test thread, which makes Django
refuse synchronous ORM calls from that thread unless told they are safe here.
"""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

import fugong

from fugong.accounts.models import User
from fugong.demo import world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = world.DEMO_PASSWORD
SHOTS_DIR = "/tmp/fugong-shots"  # screenshots stay outside the repository

# BUG (reported, not fixed here): fugong/static/ is in no staticfiles finder's reach
# (STATICFILES_DIRS lists only the vendor folders and `fugong` is not an installed app),
# so /static/fugong/app.css answers 404 and every page renders unstyled.
# test_stylesheet_is_served records that; so that the other tests can check the layout
# the stylesheet is meant to give, pages get the file from disk when, and only when,
# the server answers 404 for it.
APP_CSS_URL = "**/static/fugong/app.css"
APP_CSS = Path(fugong.__file__).parent / "static" / "fugong" / "app.css"


def _app_css_fallback(route: Route) -> None:
    response = route.fetch()
    if response.status == 404:
        route.fulfill(path=APP_CSS, content_type="text/css")
    else:
        route.fulfill(response=response)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """Desktop unless a test overrides it (parametrize `viewport` or override the fixture)."""
    return DESKTOP


@pytest.fixture
def demo_world(transactional_db: Any) -> dict[str, User]:
    """The demo world in a database the live server's thread can see."""
    world.load()
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def page(browser: Browser, live_server: Any, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(
        viewport=viewport,
        base_url=live_server.url,
        locale="zh-CN",  # the people using it; Accept-Language picks the language before any choice
        is_mobile=viewport["width"] < 600,
        has_touch=viewport["width"] < 600,
    )
    context.set_default_timeout(10_000)
    context.route(APP_CSS_URL, _app_css_fallback)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page: Page, demo_world: dict[str, User]) -> Callable[[str], Page]:
    """Sign in through the login form as a demo user; lands on the home page."""

    def sign_in(username: str) -> Page:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return sign_in
