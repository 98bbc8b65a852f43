"""The leaders' page in the browser: the ranking, each county's line and the industry heat map
drawn by ECharts, and the city's coordinator entering local reopening days."""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from fugong.directory.models import Region
from fugong.resumption import services
from fugong.resumption.models import IndexFigure

from .conftest import PHONE, SHOTS_DIR

pytestmark = [pytest.mark.browser]

QINGYUAN, JINGNING = "331126", "331127"


def _figure(setup, day, county, index, rank, industry=""):
    return IndexFigure.objects.create(
        setup=setup, day=day, county=county, industry=industry, accounts=100, excluded=3, resumed=90,
        account_ratio=index, consumption_ratio=index, index=index, rank=rank,
    )  # fmt: skip


@pytest.fixture
def figures(demo_world):
    lishui = Region.objects.get(code="331100")
    setup = services.save_setup(None, lishui, baseline_start=date(2019, 10, 1), baseline_end=date(2019, 12, 31))
    # Three days; Jingning ahead on the last one.
    for offset, (qingyuan, jingning) in enumerate([(40.0, 35.0), (70.5, 80.25), (96.34, 97.5)]):
        day = date(2020, 3, 2) + timedelta(days=offset)
        _figure(setup, day, QINGYUAN, qingyuan, 1 if qingyuan > jingning else 2)
        _figure(setup, day, JINGNING, jingning, 1 if jingning > qingyuan else 2)
    last = date(2020, 3, 4)
    _figure(setup, last, QINGYUAN, 99.0, 1, industry="制造业")
    _figure(setup, last, QINGYUAN, 93.7, 2, industry="批发零售")
    _figure(setup, last, JINGNING, 97.5, 1, industry="制造业")
    return setup


def test_a_county_sees_its_rank_its_line_and_the_heat_map(login: Callable[[str], Page], figures) -> None:
    page = login("qingyuan")
    page.goto("/resumption/")
    rows = page.locator("[data-ranking] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("庆元县")
    expect(rows.nth(1)).to_contain_text("96.34")
    expect(page.locator("[data-line] canvas").first).to_be_visible()
    expect(page.locator("[data-heatmap] canvas").first).to_be_visible()
    drawn = page.evaluate(
        """() => {
        const line = echarts.getInstanceByDom(document.querySelector('[data-line]')).getOption();
        const heat = echarts.getInstanceByDom(document.querySelector('[data-heatmap]')).getOption();
        return {names: line.series.map(s => s.name), qingyuan: line.series[0].data,
                industries: heat.yAxis[0].data, cells: heat.series[0].data.length};
    }"""
    )
    assert drawn == {"names": ["庆元县", "景宁畲族自治县"], "qingyuan": [40, 70.5, 96.34],
                     "industries": ["制造业", "批发零售"], "cells": 3}  # fmt: skip
    # A tooltip on each chart: drawn on the canvas, as the Content-Security-Policy allows (the
    # `page` fixture fails the test on anything it refused).
    for chart in ("[data-line]", "[data-heatmap]"):
        page.locator(chart).hover()
        page.mouse.move(5, 5)
    expect(page.locator("form[action$='/resumption/method/']")).to_have_count(0)  # reads, does not manage
    page.screenshot(path=f"{SHOTS_DIR}/resumption-dashboard.png", full_page=True)


def test_the_city_enters_local_reopening_days(login: Callable[[str], Page], figures) -> None:
    page = login("admin")
    page.goto("/resumption/")
    page.locator("summary", has_text="计算方法").click()
    page.select_option("select[name=baseline_kind]", "day_type")
    page.fill("textarea[name=reopening_days]", "2020-02-09\n2020-02-30")
    page.locator("form[action$='/resumption/method/'] button[type=submit]").click()
    field = page.locator("[data-field=reopening_days]")
    expect(field.locator(".error")).to_contain_text("“2020-02-30”不是日期")
    expect(page.locator("select[name=baseline_kind]")).to_have_value("day_type")  # what was chosen stays
    field.locator("textarea").fill("2020-02-09")
    page.locator("form[action$='/resumption/method/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    figures.refresh_from_db()
    assert (figures.baseline_kind, figures.reopening_days) == ("day_type", ["2020-02-09"])


@pytest.mark.parametrize("viewport", [PHONE])
def test_a_leader_on_a_phone_reads_any_computed_day(login: Callable[[str], Page], figures) -> None:
    """#21 item 10: the page opens on the latest day; the day picker, the links either side of
    it and a tap on the line chart open another day, and the export and the list of enterprises
    not resumed follow the day shown."""
    page = login("qingyuan")
    page.goto("/resumption/")
    rows = page.locator("[data-ranking] tbody tr")
    expect(rows.first).to_contain_text("景宁畲族自治县")  # 4 March: Jingning ahead
    picker = page.get_by_label("日期")
    expect(picker).to_have_value("2020-03-04")
    assert picker.locator("option").all_inner_texts()[0].startswith("2020-03-04")
    picker.select_option("2020-03-02")
    page.wait_for_url("**day=2020-03-02")
    expect(rows.first).to_contain_text("庆元县")  # 2 March: Qingyuan ahead, 40.00 to 35.00
    expect(rows.first).to_contain_text("40.00")
    expect(page.locator("[data-export]")).to_have_attribute("href", re.compile(r"day=2020-03-02"))
    expect(page.locator("[data-not-resumed-link]")).to_have_attribute("href", re.compile(r"day=2020-03-02"))
    page.locator("a[rel=next]").click()
    page.wait_for_url("**day=2020-03-03")
    expect(rows.first).to_contain_text("80.25")
    # A tap on the line chart over the last day opens it.
    chart = page.locator("[data-line]")
    expect(chart.locator("canvas").first).to_be_visible()
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    right = page.evaluate(
        """() => {
        const chart = echarts.getInstanceByDom(document.querySelector('[data-line]'));
        return chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, ['2020-03-04', 50]);
    }"""
    )
    page.touchscreen.tap(box["x"] + right[0], box["y"] + right[1])
    page.wait_for_url("**day=2020-03-04")
    expect(rows.first).to_contain_text("97.50")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=f"{SHOTS_DIR}/resumption-day-picker-phone.png", full_page=True)
