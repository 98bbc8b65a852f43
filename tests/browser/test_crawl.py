"""The whole product crawled as every demo user, on a phone and a desktop (see crawl.py for
what fails a page), and the crawler itself shown to catch each class of defect on a made-up
site."""

import io
import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, Queue
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import Browser, BrowserContext, Route, ViewportSize, sync_playwright

from fugong.accounts.models import Membership, User
from fugong.demo import world

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD
from .crawl import XLSX, Crawl, crawl_as

pytestmark = [pytest.mark.browser]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def new_context(browser: Browser, base_url: str, viewport: ViewportSize, **options: Any) -> BrowserContext:
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, base_url=base_url, locale="zh-CN", is_mobile=phone, has_touch=phone, **options
    )
    context.set_default_timeout(15_000)
    return context


# The checker on a made-up site ---------------------------------------------------------

ORIGIN = "http://crawl.test"
CLEAN = {
    "/": '<a href="/list/">清单</a>',
    "/list/": '<h1>清单</h1><a href="/list/1/">甲</a> <a href="/list/2/">乙</a> <a href="/list/3/">丙</a>'
    '<form method="get"><label>状态 <select name="s"><option value="">- 请选择 -</option></select></label></form>',
    "/list/1/": "<h1>甲</h1><p>5 kWh</p>",
    "/list/2/": "<h1>乙</h1>",
    "/list/3/": "<h1>丙</h1>",
}


def workbook(*cells: str) -> bytes:
    book = Workbook()
    book.active.append(list(cells))  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def serve(
    context: BrowserContext,
    pages: dict[str, str],
    statuses: dict[str, int] | None = None,
    downloads: dict[str, bytes] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?", 1)[0]
        if path in (downloads or {}):
            attachment = {"Content-Disposition": 'attachment; filename="list.xlsx"'}
            route.fulfill(status=200, content_type=XLSX, headers=attachment, body=(downloads or {})[path])
            return
        status = (statuses or {}).get(path, 200 if path in pages else 404)
        head = '<meta name="viewport" content="width=device-width, initial-scale=1"><title>页</title>'
        main = pages.get(path, "")
        body = f'<!doctype html><html lang="zh-hans"><head>{head}</head><body><main>{main}</main></body></html>'
        route.fulfill(status=status, content_type="text/html; charset=utf-8", body=body, headers=headers)

    context.route(f"{ORIGIN}/**", answer)


def crawl_site(
    browser: Browser,
    pages: dict[str, str],
    statuses: dict[str, int] | None = None,
    viewport: ViewportSize = PHONE,
    downloads: dict[str, bytes] | None = None,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> list[str]:
    context = new_context(browser, ORIGIN, viewport)
    serve(context, pages, statuses, downloads, headers)
    try:
        crawl = crawl_as(context, ORIGIN, who="test", size="phone", **options)
    finally:
        context.close()
    return [f"{f.kind}: {f.url.removeprefix(ORIGIN)}: {f.detail}" for f in crawl.findings]


def test_a_clean_site_passes_and_one_page_of_each_kind_is_opened(browser: Browser) -> None:
    context = new_context(browser, ORIGIN, PHONE)
    serve(context, CLEAN)
    crawl = crawl_as(context, ORIGIN, who="test", size="phone")
    context.close()
    assert crawl.findings == []
    # /list/2/ and /list/3/ are the same kind of page as /list/1/: only the first is opened.
    assert [url.removeprefix(ORIGIN) for url in crawl.visited] == ["/", "/list/", "/list/1/"]


def test_djangos_english_empty_choice_fails_the_crawl(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/list/": CLEAN["/list/"].replace("- 请选择 -", "- Select an option -")})
    assert crawl_site(browser, pages) == ["English on a Chinese page: /list/: Select, an, option"]


def test_a_required_choice_with_nothing_to_choose_fails_the_crawl(browser: Browser) -> None:
    form = (
        '<h1>求助</h1><form method="post"><label for="c">发送通道</label>'
        '<select id="c" name="channel" required>{}</select><button>发送</button></form>'
    )
    empty = dict(CLEAN, **{"/list/1/": form.format('<option value="">- 请选择 -</option>')})
    assert crawl_site(browser, empty) == ["a required choice with nothing to choose: /list/1/: 发送通道 (channel)"]
    offered = form.format('<option value="">- 请选择 -</option><option value="1">县复工办短信</option>')
    assert crawl_site(browser, dict(CLEAN, **{"/list/1/": offered})) == []


def test_a_raw_choice_code_fails_the_crawl(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/list/1/": "<h1>车辆</h1><p>e_tricycle</p>"})
    assert crawl_site(browser, pages) == [
        "raw code: /list/1/: e_tricycle",
        "English on a Chinese page: /list/1/: tricycle",
    ]


def test_a_tab_that_answers_403_fails_the_crawl(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/": CLEAN["/"] + '<nav><a href="/rules/">规则</a></nav>', "/rules/": "<h1>无权</h1>"})
    assert crawl_site(browser, pages, {"/rules/": 403}) == [
        "shown but answers 403: /rules/: hide what this person may not use"
    ]


def test_a_server_error_and_a_dead_link_fail_the_crawl(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/": CLEAN["/"] + '<a href="/broken/">坏</a><a href="/gone/">无</a>', "/broken/": "x"})
    assert crawl_site(browser, pages, {"/broken/": 500}) == [
        "server error: /broken/: 500",
        "shown but answers 404: /gone/: hide what this person may not use",
    ]


def test_an_element_400px_wide_fails_on_a_phone_only(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/list/1/": '<h1>甲</h1><div class="grid" style="width:400px">宽</div>'})
    findings = crawl_site(browser, pages)
    assert len(findings) == 1
    assert findings[0].startswith("sideways scroll on a phone: /list/1/: page ")
    assert "div.grid (408px)" in findings[0]
    assert crawl_site(browser, pages, viewport=DESKTOP) == []


def test_an_unlabelled_form_control_fails_the_crawl(browser: Browser) -> None:
    pages = dict(
        CLEAN, **{"/list/1/": '<h1>甲</h1><form method="post"><input name="reason"><button>不予批准</button></form>'}
    )
    findings = crawl_site(browser, pages)
    assert len(findings) == 1
    assert findings[0].startswith("accessibility: /list/1/: label: ")


def test_what_the_content_security_policy_refuses_fails_the_crawl(browser: Browser) -> None:
    policy = {"Content-Security-Policy": "default-src 'self'"}
    assert crawl_site(browser, CLEAN, headers=policy) == []
    inline = '<h1>甲</h1><p style="color: red">红</p><button onclick="history.back()">返回</button>'
    findings = crawl_site(browser, dict(CLEAN, **{"/list/1/": inline}), headers=policy)
    assert [re.sub(r" at \S+", "", finding) for finding in findings] == [  # where in the file varies
        "refused by the Content-Security-Policy: /list/1/: style-src-attr refused inline on /list/1/",
        "refused by the Content-Security-Policy: /list/1/: script-src-attr refused inline on /list/1/",
    ]
    assert crawl_site(browser, dict(CLEAN, **{"/list/1/": inline})) == []  # without the policy both run


def test_a_full_mobile_fails_the_crawl_unless_the_page_may_show_it(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/list/1/": '<h1>甲</h1><p>139****0125</p><a href="tel:13905780125">拨打</a>'})
    assert crawl_site(browser, pages) == ["personal numbers in full: /list/1/: 1: 139****0125"]
    assert crawl_site(browser, pages, shows_full_numbers=lambda url: url.endswith("/list/1/")) == []


def test_full_numbers_in_a_download_or_an_api_list_fail_the_crawl(browser: Browser) -> None:
    pages = dict(CLEAN, **{"/list/": CLEAN["/list/"] + '<a href="/list.xlsx">导出</a>', "/api/people": '[{"m": "1"}]'})
    downloads = {"/list.xlsx": workbook("张三", "110101199003074514")}
    assert crawl_site(browser, pages, downloads=downloads) == [
        "personal numbers in full: /list.xlsx: 1: 110***********4514"
    ]
    pages["/api/people"] = '[{"mobile": "+8613905780125"}]'
    assert crawl_site(browser, pages, downloads=downloads, api_lists=["/api/people"]) == [
        "personal numbers in full: /list.xlsx: 1: 110***********4514",
        "personal numbers in full: /api/people: 1: 139****0125",
    ]


# The product as every demo user ---------------------------------------------------------


# Single records whose number the person works with, by page name, and who sees it there in full.
# Every other page, download and API list shows numbers masked to everyone.
COORDINATORS = {"admin", "xiajiang", "qingyuan", "lishui"}
FULL_NUMBERS_SHOWN = {
    "accounts:user": COORDINATORS | {"huanghuiyun", "qy_power", "wuyuanzi"},  # whom they manage
    "volunteers:member": COORDINATORS | {"huanghuiyun", "huyao", "wuziqiang", "laoyan", "wuyuanzi", "yezeyun"},
    "delivery:shop": {"admin", "xiajiang", "huanghuiyun", "huyao", "wuziqiang"},  # the bureau rings its shops
    "delivery:fleet": {"admin", "xiajiang", "huanghuiyun", "huyao", "wuziqiang"},  # a driver's form
    "notify:message": {"admin", "qy_power", "huanghuiyun"},  # the channel's managers (the demo bureau told its shops)
    # The company's staff serve its customers: the hall, and the stations' field crew (叶建国).
    "power:account": {"admin", "hufenfen", "qy_power", "yejianguo"},
    "power:call": {"admin", "hufenfen", "qy_power", "yejianguo"},
    "power:resident": {"admin", "hufenfen", "qy_power", "yejianguo"},
    "power:field_work": {"yejianguo"},  # the enterprise's number on the restoration he is sent to
}


def shows_full_numbers_to(username: str) -> Callable[[str], bool]:
    def shows(url: str) -> bool:
        parts = urlsplit(url)
        if parts.path == "/api/me" or parse_qs(parts.query).get("export") == ["full"]:
            return True  # yourself; a full export, which only administrators are offered (and it is audited)
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            return False
        return username in FULL_NUMBERS_SHOWN.get(name, ())

    return shows


def api_lists() -> list[str]:
    """Every API list (a GET without a path parameter), required days filled in with today."""
    from fugong.api import api

    today = timezone.localdate().isoformat()
    urls = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations or "{" in path:
            continue
        required = [p["name"] for p in operations["get"].get("parameters", []) if p.get("required")]
        urls.append(path + ("?" + urlencode(dict.fromkeys(required, today)) if required else ""))
    return urls


def kinds_of_people(users: Any) -> set[tuple[str, str, str]]:
    """Role, kind of organisation and level of region of every membership: the demo's extra
    hall staff are the same kind of person as its supervisor."""
    memberships = Membership.objects.filter(user__in=users)
    return set(memberships.values_list("role", "organisation__kind", "region__level"))


@pytest.fixture
def demo_everything(transactional_db: Any) -> list[str]:
    """Every module's demo, the power company with fewer accounts (the pages are the same)."""
    from fugong.demo.power import load_power

    world.load(power=False)
    load_power(accounts=600, hall_days=2)
    return [username for username, *_ in world.USERS]


@pytest.fixture
def signed_in(browser: Browser, live_server: Any, demo_everything: list[str]) -> Iterator[dict[str, Any]]:
    """Each demo user's session cookies, signed in once through the login form."""
    states = {}
    context = new_context(browser, live_server.url, DESKTOP)
    page = context.new_page()
    for username in demo_everything:
        context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        states[username] = context.storage_state()
    context.close()
    yield states


def crawl_everyone(base_url: str, sessions: dict[str, Any], workers: int = 3) -> list[Crawl]:
    """Each person at each size, in parallel: a few threads with a browser each (Playwright's
    sync API belongs to the thread that started it); the live server answers them all."""
    jobs: Queue[tuple[str, str]] = Queue()
    for username in sessions:
        for size in SIZES:
            jobs.put((username, size))
    crawls: list[Crawl] = []
    lists = api_lists()

    def work() -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            while True:
                try:
                    username, size = jobs.get_nowait()
                except Empty:
                    break
                context = new_context(browser, base_url, SIZES[size], storage_state=sessions[username])
                crawls.append(
                    crawl_as(
                        context,
                        base_url,
                        who=username,
                        size=size,
                        shows_full_numbers=shows_full_numbers_to(username),
                        api_lists=lists if size == "phone" else (),
                    )
                )
                context.close()
            browser.close()

    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(work) for _ in range(workers)]:
            future.result()
    return sorted(crawls, key=lambda crawl: (crawl.who, crawl.size))


def test_every_role_crawls_clean_on_phone_and_desktop(live_server: Any, signed_in: dict[str, Any]) -> None:
    assert kinds_of_people(User.objects.all()) == kinds_of_people(User.objects.filter(username__in=signed_in))
    only = os.environ.get("CRAWL_ONLY")  # a few people while fixing what the crawl found
    sessions = {name: state for name, state in signed_in.items() if not only or name in only.split(",")}
    started = time.monotonic()
    crawls = crawl_everyone(live_server.url, sessions)
    for crawl in crawls:
        spent = ", ".join(f"{what} {seconds:.0f} s" for what, seconds in crawl.seconds.items())
        print(f"crawl: {crawl.who} @ {crawl.size}: {len(crawl.visited)} pages, {len(crawl.findings)} findings; {spent}")
        if os.environ.get("CRAWL_VERBOSE"):  # which pages stood for their kind
            print("\n".join(f"  {url.removeprefix(live_server.url)}" for url in crawl.visited))
    pages = sum(len(crawl.visited) for crawl in crawls)
    print(
        f"crawl: {len(sessions)} people x {len(SIZES)} sizes, {pages} role x page x size checks"
        f" in {time.monotonic() - started:.0f} s"
    )
    findings = [finding for crawl in crawls for finding in crawl.findings]
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(str(f) for f in findings)
