"""Fixtures for the Playwright browser tests: Debian's chromium against pytest-django's live server.

Playwright's sync API runs an asyncio event loop in the test thread, which makes Django
refuse synchronous ORM calls from that thread unless told they are safe here.
"""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, ViewportSize, sync_playwright

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
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PASSWORD = world.DEMO_PASSWORD
SHOTS_DIR = "/tmp/fugong-shots"  # noqa: S108 - screenshots for people to look at, outside the repository
CSP_LISTENER = Path(__file__).parent / "csp_violations.js"


def watch_csp(context: BrowserContext) -> list[str]:
    """Every Content-Security-Policy violation in the context's pages from now on, as it
    happens: an inline script or style the policy refused is a page that does not work."""
    violations: list[str] = []

    def report(text: str) -> None:
        violations.append(text)

    context.expose_function("__reportCspViolation", report)
    context.add_init_script(path=CSP_LISTENER)
    return violations


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> ViewportSize:
    """Desktop unless a test overrides it (parametrize `viewport` or override the fixture)."""
    return DESKTOP


@pytest.fixture
def demo_world(transactional_db: Any) -> dict[str, User]:
    """The demo world in a database the live server's thread can see."""
    world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def page(browser: Browser, live_server: Any, viewport: ViewportSize) -> Iterator[Page]:
    context = browser.new_context(
        viewport=viewport,
        base_url=live_server.url,
        locale="zh-CN",  # the people using it; Accept-Language picks the language before any choice
        is_mobile=viewport["width"] < 600,
        has_touch=viewport["width"] < 600,
    )
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    with contextlib.suppress(Error):
        page.evaluate("0")  # a round trip, so that reports sent before it have arrived
    context.close()
    assert violations == [], "the Content-Security-Policy refused:\n" + "\n".join(violations)


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
