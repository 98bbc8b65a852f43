"""What people see in the browser: navigation per role, editing a site, importing a
region file, switching language, and the phone layout."""

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from fugong.accounts.models import AuditEntry
from fugong.core.models import Job
from fugong.directory.models import Region, Site

from .conftest import DESKTOP, PHONE, SHOTS_DIR

pytestmark = [pytest.mark.browser]

ALL_ITEMS = [
    "site:home",
    "directory:regions",
    "directory:organisations",
    "directory:sites",
    "notify:outbox",
    "delivery:backlog",
    "screening:index",
    "power:index",
    "volunteers:teams",
    "accounts:users",
    "accounts:audit",
]
# Power pages are for people of a power company and coordinators over one; deliveries for those
# who plan a tobacco bureau's (Qingyuan has none: the menu item answered 403 there).
WITHOUT_POWER = [name for name in ALL_ITEMS if name != "power:index"]
WITHOUT_DELIVERIES = [name for name in ALL_ITEMS if name != "delivery:backlog"]


def nav_names(page: Page) -> list[str]:
    return page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.dataset.nav)")


def shot(page: Page, name: str) -> None:
    os.makedirs(SHOTS_DIR, exist_ok=True)
    page.screenshot(path=f"{SHOTS_DIR}/{name}.png", full_page=True)


# 1. Navigation per role ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "viewport", "expected"),
    [
        pytest.param("admin", DESKTOP, ALL_ITEMS, id="platform-admin-desktop"),
        pytest.param("xiajiang", DESKTOP, WITHOUT_POWER, id="county-coordinator-desktop"),
        pytest.param("qingyuan", DESKTOP, WITHOUT_DELIVERIES, id="power-county-coordinator-desktop"),
        pytest.param("huanghuiyun", DESKTOP, WITHOUT_POWER, id="org-admin-desktop"),
        # Network-point staff read the bureau's messages (what the shops were told); screening
        # only where their site screens its door, which this world (no screening loaded) has not.
        pytest.param(
            "huyao",
            PHONE,
            ["site:home", "directory:sites", "notify:outbox", "delivery:backlog", "volunteers:teams"],
            id="site-staff-phone",
        ),
        pytest.param("laoyan", PHONE, ["site:home", "volunteers:teams", "volunteers:me"], id="volunteer-phone"),
    ],
)
def test_each_role_sees_its_navigation(login: Callable[[str], Page], username: str, expected: list[str]) -> None:
    page = login(username)
    expect(page.locator("main h1")).to_be_visible()
    assert nav_names(page) == expected
    home = page.locator('nav.mainnav a[data-nav="site:home"]')
    expect(home).to_have_attribute("aria-current", "page")
    if page.viewport_size == PHONE:
        # On phones the menu is folded behind the ☰ label until tapped.
        for name in expected:
            expect(page.locator(f'nav.mainnav a[data-nav="{name}"]')).to_be_hidden()
        toggle = page.locator("label.nav-button")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_text("☰")
        toggle.click()
        for name in expected:
            expect(page.locator(f'nav.mainnav a[data-nav="{name}"]')).to_be_visible()
    else:
        expect(page.locator("label.nav-button")).to_be_hidden()
        for name in expected:
            expect(page.locator(f'nav.mainnav a[data-nav="{name}"]')).to_be_visible()
    if username == "admin":
        shot(page, "home-desktop-admin")
    # Following a visible entry lands on a page that marks it current.
    last = expected[-1]
    page.locator(f'nav.mainnav a[data-nav="{last}"]').click()
    if page.viewport_size == PHONE:
        page.locator("label.nav-button").click()
    expect(page.locator(f'nav.mainnav a[data-nav="{last}"]')).to_have_attribute("aria-current", "page")


# 2. Editing a site --------------------------------------------------------------------


def test_org_admin_edits_a_site_address(login: Callable[[str], Page], demo_world: dict[str, Any]) -> None:
    page = login("huanghuiyun")
    page.locator('nav.mainnav a[data-nav="directory:sites"]').click()
    expect(page.locator("main h1")).to_have_text("场所")
    page.locator("table.sites").get_by_role("link", name="巴邱网点", exact=True).click()
    expect(page.locator("main h1")).to_have_text("巴邱网点")
    expect(page.locator("dd.address")).to_have_text("峡江县巴邱镇人民北路")
    page.locator("main .actions").get_by_role("link", name="编辑").click()
    address = page.locator("input[name=address]")
    expect(address).to_have_value("峡江县巴邱镇人民北路")
    new_address = "峡江县巴邱镇玉峡大道88号"
    address.fill(new_address)
    page.locator("main form").get_by_role("button", name="保存").click()
    expect(page.locator("main h1")).to_have_text("巴邱网点")
    expect(page.locator("dd.address")).to_have_text(new_address)
    expect(page.locator(".messages")).to_contain_text("已保存")

    site = Site.objects.get(name="巴邱网点")
    assert site.address == new_address
    assert re.search(rf"/directory/sites/{site.pk}/$", page.url)
    entries = AuditEntry.objects.filter(action="site.update", object_id=str(site.pk))
    assert entries.filter(actor=demo_world["huanghuiyun"]).exists(), list(entries.values("action", "actor_label"))


# 3. Importing a region file -----------------------------------------------------------

HEADER = ["区划代码", "名称", "级别", "上级代码", "管控状态"]


def write_xlsx(path: Path, rows: list[tuple[str, ...]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def upload(page: Page, path: Path) -> Any:
    page.goto("/directory/import/regions/")
    page.set_input_files("input[name=file]", str(path))
    page.locator("main form").get_by_role("button", name="导入").click()
    card = page.locator("main .job")
    expect(card).to_be_visible()
    expect(card).to_contain_text(path.name)
    return card


def test_region_import_reports_bad_row_then_imports_fixed_file(
    login: Callable[[str], Page], run_tasks: Callable[[], None], tmp_path: Path
) -> None:
    page = login("xiajiang")
    bad = write_xlsx(
        tmp_path / "bad-regions.xlsx",
        [
            ("360823204", "百岁乡", "", "", ""),
            ("36082X205", "坏代码", "", "", ""),
            ("360823206", "新村乡", "", "", "封控"),
        ],
    )
    card = upload(page, bad)
    expect(card).to_have_attribute("data-status", "queued")
    run_tasks()
    # htmx polls the card every second and swaps in the finished one.
    expect(card).to_have_attribute("data-status", "failed")
    expect(card.locator(".pill")).to_have_text("失败")
    expect(card.locator(".job-message")).to_contain_text("未导入")
    errors = page.locator("table.row-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.locator("td")).to_have_text(["3", "区划代码", re.compile(r"6 位、9 位或 12 位")])
    card.scroll_into_view_if_needed()
    shot(page, "import-error")
    # All or nothing: the good rows were rolled back with the bad one.
    assert not Region.objects.filter(code__in=["360823204", "360823206"]).exists()
    assert Job.objects.get().status == Job.Status.FAILED

    good = write_xlsx(
        tmp_path / "good-regions.xlsx",
        [
            ("360823204", "百岁乡", "", "", ""),
            ("360823205", "坏代码", "", "", ""),
            ("360823206", "新村乡", "", "", "封控"),
        ],
    )
    card = upload(page, good)
    run_tasks()
    expect(card).to_have_attribute("data-status", "succeeded")
    expect(card.locator(".pill")).to_have_text("成功")
    expect(card.locator(".job-message")).to_contain_text("已导入 3 行：新增 3 条")
    expect(page.locator("table.row-errors")).to_have_count(0)
    regions = {r.code: r for r in Region.objects.filter(code__in=["360823204", "360823205", "360823206"])}
    assert sorted(regions) == ["360823204", "360823205", "360823206"]
    assert all(r.parent is not None and r.parent.code == "360823" for r in regions.values())
    assert regions["360823206"].zone_status == "closed"
    assert regions["360823204"].zone_status != "closed"


# 4. Switching language ----------------------------------------------------------------


def test_language_switch_round_trip(login: Callable[[str], Page]) -> None:
    page = login("admin")
    html = page.locator("html")
    home = page.locator('nav.mainnav a[data-nav="site:home"]')
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(home).to_have_text("首页")
    expect(page.locator("main h1")).to_have_text("平台管理员，您好")

    # Only the other language is offered.
    expect(page.locator("form.langswitch button")).to_have_count(1)
    page.locator("form.langswitch button[value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(home).to_have_text("Home")
    expect(page.locator('nav.mainnav a[data-nav="directory:sites"]')).to_have_text("Sites")
    assert urlparse(page.url).path == "/"  # set_language sent us back to the same page

    chinese = page.locator("form.langswitch button[value=zh-hans]")
    expect(page.locator("form.langswitch button")).to_have_count(1)
    expect(chinese).to_have_text("简体中文")
    chinese.click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(home).to_have_text("首页")
    expect(page.locator("form.langswitch button[value=en]")).to_be_visible()

    # The choice sticks: a fresh page load in the same session stays in Chinese.
    page.goto("/directory/sites/")
    expect(html).to_have_attribute("lang", "zh-hans")


def test_language_buttons_name_each_language_in_itself(login: Callable[[str], Page]) -> None:
    page = login("admin")
    # A reader who cannot read Chinese must still recognise the way out.
    expect(page.locator("form.langswitch button[value=en]")).to_have_text("English", timeout=1000)


# 5. Phone layout ----------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
@pytest.mark.parametrize("username", ["admin", "huyao"])
def test_home_has_no_horizontal_scroll_on_a_phone(login: Callable[[str], Page], username: str) -> None:
    page = login(username)
    expect(page.locator("main h1")).to_be_visible()
    width = PHONE["width"]

    def scroll_width() -> int:
        return page.evaluate("document.documentElement.scrollWidth")

    assert scroll_width() <= width + 1
    page.locator("label.nav-button").click()
    expect(page.locator('nav.mainnav a[data-nav="site:home"]')).to_be_visible()
    assert scroll_width() <= width + 1


# The stylesheet ----------------------------------------------------------------------


def test_stylesheet_is_served(login: Callable[[str], Page]) -> None:
    page = login("laoyan")
    with page.expect_response(lambda r: r.url.endswith("/static/fugong/app.css")) as css:
        page.reload()
    assert css.value.status == 200
    # Styled, the header is the brand's red bar.
    assert page.locator("header.topbar").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(185, 28, 28)"
