"""Excel/CSV import and export of shops and orders, all rows or none, errors by row.

Orders come one line per row (the way the bureau's order system exports them); rows with the
same order number make one order.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fugong.accounts.models import User
from fugong.core.imports import ROW_FAILURES, Cells, RowProblem, apply_rows, decimal_in, row_errors
from fugong.core.jobs import Progress
from fugong.core.masking import mask_mobile
from fugong.core.spreadsheets import Column, Problems, Row
from fugong.core.transactions import services_join
from fugong.core.validators import national_mobile
from fugong.directory.models import Organisation, Region, Site

from ..models import Order, Shop
from . import orders as services

SHOP_COLUMNS = (
    Column("licence_number", gettext_lazy("Licence number"), ("许可证号", "专卖许可证号", "licence"), required=True),
    Column("name", gettext_lazy("Shop name"), ("店名", "客户名称", "名称"), required=True),
    Column("owner", pgettext_lazy("shop", "Owner"), ("负责人", "经营者", "业主"), required=True),
    Column("mobile", gettext_lazy("Mobile"), ("手机", "手机号", "联系电话"), required=True),
    Column("address", gettext_lazy("Address"), ("地址", "经营地址"), required=True),
    Column("region_code", gettext_lazy("Region code"), ("区划代码",), required=True),
    Column("latitude", gettext_lazy("Latitude"), ("纬度", "lat"), required=True),
    Column("longitude", gettext_lazy("Longitude"), ("经度", "lng", "lon"), required=True),
    Column("network_point", gettext_lazy("Network point"), ("网点", "配送网点"), required=True),
    Column("account_manager", gettext_lazy("Account manager"), ("客户经理",)),
    Column("opens_at", gettext_lazy("Receives goods from"), ("收货开始", "开始收货")),
    Column("closes_at", gettext_lazy("Receives goods until"), ("收货截止", "截止收货")),
    Column("service_minutes", gettext_lazy("Minutes at the door"), ("停留分钟", "交接分钟")),
)
ORDER_COLUMNS = (
    Column("number", gettext_lazy("Order number"), ("订单号", "订单编号"), required=True),
    Column("licence_number", gettext_lazy("Licence number"), ("许可证号", "专卖许可证号"), required=True),
    Column("placed_on", gettext_lazy("Placed on"), ("订货日期", "下单日期"), required=True),
    Column("brand", gettext_lazy("Brand"), ("品牌", "卷烟品规", "规格"), required=True),
    Column("quantity", gettext_lazy("Cartons"), ("数量", "数量（条）", "条数"), required=True),
    Column("amount", gettext_lazy("Amount (yuan)"), ("金额", "金额（元）")),
)
FIELD_TO_COLUMN = {"region": "region_code"}


def _time(value: str, column: str, default: time) -> time:
    if not value:
        return default
    try:
        return time.fromisoformat(value.strip()[:5].rjust(5, "0"))
    except ValueError:
        raise RowProblem(column, _("“%(value)s” is not a time like 08:30.") % {"value": value}) from None


def _required_decimal(value: str, column: str) -> Decimal:
    number = decimal_in(value, column)
    if number is None:
        raise RowProblem(column, _("This column is required."))
    return number


def _whole(value: str, column: str, *, default: int | None = None) -> int:
    if not value and default is not None:
        return default
    try:
        number = Decimal(value)
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise RowProblem(column, _("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def _day(value: str, column: str) -> date:
    text = value.strip().replace("/", "-").replace(".", "-")[:10]
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise RowProblem(column, _("“%(value)s” is not a date like 2022-04-20.") % {"value": value}) from None


def _network_point(organisation: Organisation, name: str) -> Site:
    point = Site.objects.filter(organisation=organisation, kind=Site.Kind.NETWORK_POINT, name=name.strip()).first()
    if point is None:
        raise RowProblem("network_point", _("The bureau has no network point “%(name)s”.") % {"name": name})
    return point


def _account_manager(organisation: Organisation, ref: str) -> User | None:
    if not ref:
        return None
    staff = User.objects.filter(memberships__organisation=organisation).distinct()
    found = staff.filter(username=ref.strip()).first() or staff.filter(full_name=ref.strip()).first()
    if found is None:
        raise RowProblem("account_manager", _("Nobody of the bureau is called “%(name)s”.") % {"name": ref})
    return found


def import_shops(
    actor: User | None, organisation: Organisation, rows: list[Row], progress: Progress | None = None
) -> dict[str, Any]:
    def apply_row(values: Cells) -> str:
        region = Region.objects.filter(code=values["region_code"].strip()).first()
        if region is None:
            values.note("region_code", _("No region has the code “%(code)s”.") % {"code": values["region_code"]})
        shop = Shop.objects.filter(organisation=organisation, licence_number=values["licence_number"].strip()).first()
        fields = {
            "licence_number": values["licence_number"].strip(),
            "name": values["name"],
            "owner": values["owner"],
            "mobile": values["mobile"],
            "address": values["address"],
            "region": region,
            "latitude": values.read(_required_decimal, values["latitude"], "latitude"),
            "longitude": values.read(_required_decimal, values["longitude"], "longitude"),
            "network_point": values.read(_network_point, organisation, values["network_point"]),
            "account_manager": values.read(_account_manager, organisation, values.get("account_manager", "")),
            "opens_at": values.read(_time, values.get("opens_at", ""), "opens_at", time(8, 0)),
            "closes_at": values.read(_time, values.get("closes_at", ""), "closes_at", time(21, 0)),
            "service_minutes": values.read(_whole, values.get("service_minutes", ""), "service_minutes", default=5),
        }
        values.check()
        services.save_shop(actor, organisation, shop, **fields)
        return "updated" if shop else "created"

    return apply_rows(rows, SHOP_COLUMNS, apply_row, progress, FIELD_TO_COLUMN)


def import_orders(
    actor: User | None, organisation: Organisation, rows: list[Row], progress: Progress | None = None
) -> dict[str, Any]:
    """Rows grouped by order number; every row checked before anything is written."""
    errors = Problems()
    grouped: dict[str, list[tuple[Row, services.Line]]] = defaultdict(list)
    heads: dict[str, tuple[Shop, date]] = {}
    shops = {s.licence_number: s for s in Shop.objects.filter(organisation=organisation)}
    for row in rows:
        values = Cells(row.values, ORDER_COLUMNS)
        try:
            number = values["number"].strip()
            shop = shops.get(values["licence_number"].strip())
            if shop is None:
                values.note(
                    "licence_number", _("No shop has the licence number “%(n)s”.") % {"n": values["licence_number"]}
                )
            placed_on = values.read(_day, values["placed_on"], "placed_on")
            quantity = values.read(_whole, values["quantity"], "quantity")
            amount = values.read(decimal_in, values.get("amount", ""), "amount", "0.01") or Decimal(0)
            values.check()
            assert shop is not None
            if number in heads and heads[number] != (shop, placed_on):
                raise RowProblem(
                    "number", _("Order %(number)s has rows for different shops or dates.") % {"number": number}
                )
            heads[number] = (shop, placed_on)
            grouped[number].append((row, services.Line(values["brand"], quantity, amount)))
        except ROW_FAILURES as failure:
            errors.extend(row_errors(row.number, ORDER_COLUMNS, failure, cells=values))
    if progress:
        progress.update(0, len(grouped), _("Checking and saving %d orders…") % len(grouped))
    with transaction.atomic(), services_join(many=True):  # an order per group, all or none
        for done, (number, lines) in enumerate(grouped.items(), start=1):
            shop, placed_on = heads[number]
            try:
                with transaction.atomic():
                    services.place_order(
                        actor, shop, number=number, placed_on=placed_on, lines=[line for _row, line in lines]
                    )
            except (ValidationError, PermissionDenied) as failure:
                errors.extend(row_errors(lines[0][0].number, ORDER_COLUMNS, failure))
            if progress and done % 100 == 0:
                progress.update(done, inside_transaction=True)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise errors.rejected()
    return {"rows": len(rows), "created": len(grouped), "updated": 0, "unchanged": 0}


def shop_rows(qs: QuerySet[Shop], *, full_mobile: bool) -> Iterable[dict[str, Any]]:
    for shop in qs.select_related("region", "network_point", "account_manager"):
        yield {
            "licence_number": shop.licence_number,
            "name": shop.name,
            "owner": shop.owner,
            "mobile": national_mobile(shop.mobile) if full_mobile else mask_mobile(shop.mobile),
            "address": shop.address,
            "region_code": shop.region.code,
            "latitude": str(shop.latitude),
            "longitude": str(shop.longitude),
            "network_point": shop.network_point.name,
            "account_manager": shop.account_manager.username if shop.account_manager else "",
            "opens_at": f"{shop.opens_at:%H:%M}",
            "closes_at": f"{shop.closes_at:%H:%M}",
            "service_minutes": shop.service_minutes,
        }


def order_rows(qs: QuerySet[Order]) -> Iterable[dict[str, Any]]:
    for order in qs.select_related("shop").prefetch_related("lines"):
        for line in order.lines.all():
            yield {
                "number": order.number,
                "licence_number": order.shop.licence_number,
                "placed_on": order.placed_on.isoformat(),
                "brand": line.brand,
                "quantity": line.quantity,
                "amount": str(line.amount),
            }


IMPORTERS = {"shops": (SHOP_COLUMNS, import_shops), "orders": (ORDER_COLUMNS, import_orders)}
