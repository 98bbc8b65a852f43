"""The seed's delivery day: Xiajiang's bureau with two weeks of orders stuck in its warehouse,
for Baqiu's 118 shops and Xingan's Jinchuan shops, its own lorry, vans and drivers, ready to
plan with the mutual-aid groups' vehicles (fugong/demo/volunteers.py).

Everything goes through the delivery services with actor=None; a bureau that already has
shops is skipped whole, so loading can run on every start.
"""

import math
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fugong.accounts.models import User
from fugong.delivery.audiences import SHOP_NOTICE
from fugong.delivery.models import Shop
from fugong.delivery.services.fleet import save_driver, save_vehicle
from fugong.delivery.services.orders import Line, place_order, save_shop
from fugong.directory.models import Organisation, Region, Site
from fugong.notify import services as notify_services
from fugong.notify.models import Broadcast, Channel
from fugong.volunteers.models import VehicleKind

# network point, region, shops, shops in the town centre, licence prefix, streets, villages
TOWNS = [
    (
        "巴邱网点",
        "360823100",
        118,
        80,
        "360823100",
        ["人民北路", "巴邱南路", "沿江路", "建设路", "新街", "老街", "解放路"],
        ["江口村", "城上村", "坪上村", "长排村", "上下徐村"],
    ),
    (
        "新干金川网点",
        "360824100",
        90,
        70,
        "360824100",
        ["金川大道", "城北路", "向阳路", "滨江路", "站前路"],
        ["湖田村", "杨家村", "仓下村"],
    ),
]
# Brands the bureau distributes, with the price of a carton (yuan).
BRANDS = [
    ("金圣（硬红）", 160),
    ("芙蓉王（硬）", 260),
    ("中华（硬）", 450),
    ("利群（新版）", 140),
    ("黄鹤楼（软蓝）", 190),
    ("白沙（精品）", 110),
    ("红双喜（硬）", 100),
    ("云烟（紫）", 120),
]
SHOP_KINDS = ["便利店", "超市", "副食店", "烟酒店", "小卖部", "百货店"]
SURNAMES = "刘胡黄杨郭曾彭邓习袁宋李陈王张周吴"
GIVEN = ["建国", "国平", "志强", "红梅", "卫东", "桂英", "海军", "春生", "冬梅", "明华", "水根", "秀兰", "小平", "金花"]
# (kind, plate, capacity in cartons, based at)
VEHICLES = [
    (VehicleKind.LORRY, "赣D·Y0001", 5000, "峡江县局配送中转站"),
    (VehicleKind.VAN, "赣D·Y0102", 1200, "巴邱网点"),
    (VehicleKind.E_TRICYCLE, "巴邱-电三轮01", 400, "巴邱网点"),
    (VehicleKind.VAN, "赣D·Y0201", 1200, "新干金川网点"),
    (VehicleKind.VAN, "赣D·Y0202", 1200, "新干金川网点"),
    (VehicleKind.E_TRICYCLE, "金川-电三轮01", 400, "新干金川网点"),
]
# (name, mobile, licence, may ride an e-tricycle, sign-in account)
DRIVERS = [
    ("刘师傅", "13907962001", "B2", False, ""),
    ("吴自强", "13907960004", "C1", True, "wuziqiang"),
    ("胡垚", "13907960003", "C1", True, "huyao"),
    ("黄振华", "13907962002", "C1", False, ""),
    ("杨立新", "13907962003", "C1", False, ""),
    ("郭永福", "13907962004", "", True, ""),
]


def load_delivery() -> None:
    bureau = Organisation.objects.get(short_name="峡江县局")
    if Shop.objects.filter(organisation=bureau).exists():
        return
    rng = random.Random(2022)  # noqa: S311 - variety for demo data, not security
    _fleet(bureau)
    today = timezone.localdate()
    number = 0
    for point_name, region_code, count, central, prefix, streets, villages in TOWNS:
        point = Site.objects.get(organisation=bureau, name=point_name)
        region = Region.objects.get(code=region_code)
        for index in range(1, count + 1):
            shop = save_shop(
                None, bureau, **_shop(rng, point, region, index, index <= central, prefix, streets, villages)
            )
            # Two weeks stuck: the order of a fortnight ago and last week's.
            for days_ago in (14, 7):
                number += 1
                lines = []
                for brand, price in rng.sample(BRANDS, rng.randint(1, 4)):
                    cartons = rng.choice([5, 5, 10, 10, 15, 20])
                    lines.append(Line(brand, cartons, Decimal(price * cartons)))
                placed = today - timedelta(days=days_ago)
                place_order(None, shop, number=f"XJ{placed:%Y%m%d}{number:05d}", placed_on=placed, lines=lines)


def tell_shops() -> None:
    """The market manager's broadcast to the shops of one network point: their fortnight of
    orders arrives tomorrow (each message names its shop). Once: loading twice sends nothing more."""
    bureau = Organisation.objects.get(short_name="峡江县局")
    channel = Channel.objects.filter(organisation=bureau, templates__kind=SHOP_NOTICE).first()
    if channel is None or Broadcast.objects.filter(channel=channel, kind=SHOP_NOTICE).exists():
        return
    jinchuan = Site.objects.get(organisation=bureau, name="新干金川网点")
    notify_services.start_broadcast(
        User.objects.get(username="huanghuiyun"),
        channel,
        SHOP_NOTICE,
        "delivery_shops",
        {"notice": "两周积压的订单明天全部送达，请留人在店收货，无需来电询问。"},
        title="新干金川网点：积压订单明天送达",
        filters={"network_point": str(jinchuan.pk)},
    )


def _shop(
    rng: random.Random,
    point: Site,
    region: Region,
    index: int,
    central: bool,
    prefix: str,
    streets: list[str],
    villages: list[str],
) -> dict:
    assert point.latitude is not None and point.longitude is not None
    distance_km = abs(rng.gauss(0, 0.6)) if central else rng.uniform(2.0, 7.5)
    bearing = rng.uniform(0, 2 * math.pi)
    lat = float(point.latitude) + distance_km / 111.0 * math.cos(bearing)
    lng = float(point.longitude) + distance_km / (111.0 * math.cos(math.radians(float(point.latitude)))) * math.sin(
        bearing
    )
    owner = rng.choice(SURNAMES) + rng.choice(GIVEN)
    if point.name == "巴邱网点" and index == 7:
        owner = "宋小娟"  # seed 000: the shop owner who kept asking when her order would come
    place = f"{rng.choice(streets)}{rng.randint(1, 180)}号" if central else f"{rng.choice(villages)}"
    return {
        "licence_number": f"{prefix}{index:03d}",
        "name": f"{owner[0]}记{rng.choice(SHOP_KINDS)}" if index % 3 else f"{place[:2]}{rng.choice(SHOP_KINDS)}",
        "owner": owner,
        "mobile": f"139{prefix[4:6]}{index:06d}",
        "address": f"{region.name}{place}",
        "region": region,
        "latitude": Decimal(f"{lat:.6f}"),
        "longitude": Decimal(f"{lng:.6f}"),
        "network_point": point,
        "account_manager": User.objects.filter(username="huyao").first(),
    }


def _fleet(bureau: Organisation) -> None:
    for kind, plate, capacity, home in VEHICLES:
        save_vehicle(
            None,
            bureau,
            kind=kind,
            plate=plate,
            capacity_cartons=capacity,
            home=Site.objects.get(organisation=bureau, name=home),
        )
    for name, mobile, licence, e_tricycle, username in DRIVERS:
        save_driver(
            None,
            bureau,
            name=name,
            mobile=mobile,
            licence=licence,
            e_tricycle_licence=e_tricycle,
            user=User.objects.filter(username=username).first() if username else None,
        )
