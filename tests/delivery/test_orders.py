import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from fugong.core.models import Job
from fugong.core.spreadsheets import ImportRejected, read_rows
from fugong.delivery.models import Order, OrderStatus, Shop
from fugong.delivery.services import exchange, orders
from fugong.directory import services as directory
from fugong.directory.models import Organisation, Region, Site


@pytest.fixture
def bureau(demo: Any) -> Organisation:
    return Organisation.objects.get(short_name="峡江县局")


def a_shop(bureau: Organisation, licence: str = "360823100901", town: str = "360823100") -> Shop:
    return orders.save_shop(
        None,
        bureau,
        licence_number=licence,
        name="宋记便利店",
        owner="宋小娟",
        mobile="13907969901",
        address="巴邱镇人民北路8号",
        region=Region.objects.get(code=town),
        latitude=Decimal("27.5830"),
        longitude=Decimal("115.3170"),
        network_point=Site.objects.get(name="巴邱网点"),
    )


def test_orders_in_a_closed_area_are_held_and_released_when_it_opens(bureau: Organisation) -> None:
    shop = a_shop(bureau)
    xiajiang = Region.objects.get(code="360823")
    directory.set_zone_status(None, xiajiang, "closed")  # the county closes: its towns with it
    order = orders.place_order(None, shop, number="A1", placed_on=date(2022, 4, 10), lines=[orders.Line("金圣", 20)])
    assert order.status == OrderStatus.HELD and order.held_since is not None
    directory.set_zone_status(None, xiajiang, "partly_open")
    order.refresh_from_db()
    assert (order.status, order.held_since) == (OrderStatus.PLACED, None)
    directory.set_zone_status(None, Region.objects.get(code="360823100"), "closed")  # only Baqiu closes
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD


def test_an_order_needs_distinct_brands_and_whole_cartons(bureau: Organisation) -> None:
    shop = a_shop(bureau)
    with pytest.raises(Exception, match="brand"):
        orders.place_order(
            None, shop, number="B1", placed_on=date(2022, 4, 10), lines=[orders.Line("金圣", 2), orders.Line("金圣", 3)]
        )
    assert not Order.objects.exists()


def workbook(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


HEAD = ["订单号", "许可证号", "订货日期", "卷烟品规", "数量（条）", "金额（元）"]


def test_an_orders_file_with_mistakes_saves_nothing_and_names_each_row(bureau: Organisation) -> None:
    a_shop(bureau)
    upload = workbook(
        [
            HEAD,
            ["XJ1", "360823100901", "2022-04-10", "金圣（硬红）", 10, 1600],
            ["XJ1", "360823100901", "2022-04-10", "芙蓉王（硬）", "十", 2600],
            ["XJ2", "360823199999", "2022-04-10", "金圣（硬红）", 5, 800],
            ["XJ3", "360823100901", "4月10日", "金圣（硬红）", 5, 800],
        ]
    )
    rows = read_rows(upload, "orders.xlsx", exchange.ORDER_COLUMNS)
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_orders(None, bureau, rows)
    problems = {(e.row, e.column) for e in rejected.value.errors}
    assert problems == {
        (3, str(exchange.ORDER_COLUMNS[4].header)),
        (4, str(exchange.ORDER_COLUMNS[1].header)),
        (5, str(exchange.ORDER_COLUMNS[2].header)),
    }
    assert not Order.objects.exists()


def test_an_orders_file_makes_one_order_of_its_lines(bureau: Organisation) -> None:
    a_shop(bureau)
    upload = workbook(
        [
            HEAD,
            ["XJ1", "360823100901", "2022-04-10", "金圣（硬红）", 10, 1600],
            ["XJ1", "360823100901", "2022-04-10", "芙蓉王（硬）", 10, 2600],
            ["XJ2", "360823100901", "2022/04/17", "金圣（硬红）", 5, 800],
        ]
    )
    summary = exchange.import_orders(None, bureau, read_rows(upload, "orders.xlsx", exchange.ORDER_COLUMNS))
    assert summary["created"] == 2
    first = Order.objects.get(number="XJ1")
    assert (first.cartons, first.amount, first.lines.count()) == (20, Decimal("4200.00"), 2)
    assert Order.objects.get(number="XJ2").placed_on == date(2022, 4, 17)


def test_a_shops_file_is_checked_whole(bureau: Organisation) -> None:
    head = ["许可证号", "店名", "负责人", "手机", "地址", "区划代码", "纬度", "经度", "网点"]
    good = [
        "360823100902",
        "老街副食店",
        "刘建国",
        "13907969902",
        "巴邱镇老街3号",
        "360823100",
        "27.58",
        "115.31",
        "巴邱网点",
    ]
    bad_mobile = [
        "360823100903",
        "新街超市",
        "黄红梅",
        "1234",
        "巴邱镇新街9号",
        "360823100",
        "27.58",
        "115.31",
        "巴邱网点",
    ]
    bad_point = [
        "360823100904",
        "江口小卖部",
        "袁水根",
        "13907969904",
        "江口村",
        "360823100",
        "27.56",
        "115.30",
        "江口网点",
    ]
    upload = workbook([head, good, bad_mobile, bad_point])
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_shops(None, bureau, read_rows(upload, "shops.xlsx", exchange.SHOP_COLUMNS))
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert found == {(3, str(exchange.SHOP_COLUMNS[3].header)), (4, str(exchange.SHOP_COLUMNS[8].header))}
    assert not Shop.objects.exists()
    exchange.import_shops(None, bureau, read_rows(workbook([head, good]), "shops.xlsx", exchange.SHOP_COLUMNS))
    assert Shop.objects.get().mobile == "+8613907969902"


def test_an_uploaded_orders_file_is_imported_in_the_background(
    bureau: Organisation, client_for: Any, run_tasks: Any
) -> None:
    a_shop(bureau)
    client = client_for("huyao")
    good = workbook([HEAD, ["XJ9", "360823100901", "2022-04-10", "金圣（硬红）", 10, 1600]])
    good.name = "orders.xlsx"
    client.post("/delivery/import/", {"bureau": bureau.pk, "kind": "orders", "file": good})
    bad = workbook([HEAD, ["XJ10", "360823100999", "2022-04-10", "金圣（硬红）", 10, 1600]])
    bad.name = "more-orders.xlsx"
    client.post("/delivery/import/", {"bureau": bureau.pk, "kind": "orders", "file": bad})
    run_tasks()
    done, failed = Job.objects.order_by("pk")
    assert (done.status, failed.status) == ("succeeded", "failed")
    assert Order.objects.get().number == "XJ9"
    assert failed.result["errors"][0]["row"] == 2


def test_every_bad_cell_of_a_shop_or_order_row_is_reported(bureau: Organisation) -> None:
    """Not only the first: the person fixes the row once."""
    a_shop(bureau)
    head = [str(c.header) for c in exchange.SHOP_COLUMNS[:11]]
    row = [
        "360823100905",
        "新店",
        "袁水根",
        "13907969905",
        "江口村",
        "360823999",
        "北纬",
        "115.30",
        "江口网点",
        "",
        "八点",
    ]
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_shops(None, bureau, read_rows(workbook([head, row]), "shops.xlsx", exchange.SHOP_COLUMNS))
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert found == {(2, str(exchange.SHOP_COLUMNS[i].header)) for i in (5, 6, 8, 10)}
    orders_file = workbook(
        [HEAD, ["XJ1", "360823100901", "4月10日", "金圣（硬红）", "十", "很多"], ["XJ1", "", "", "金圣", 1, 1]]
    )
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_orders(None, bureau, read_rows(orders_file, "orders.xlsx", exchange.ORDER_COLUMNS))
    found = {(e.row, e.column) for e in rejected.value.errors}
    columns = exchange.ORDER_COLUMNS
    assert found == {(2, str(columns[i].header)) for i in (2, 4, 5)} | {(3, str(columns[i].header)) for i in (1, 2)}
    assert not Shop.objects.exclude(licence_number="360823100901").exists() and not Order.objects.exists()
