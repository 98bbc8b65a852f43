"""The seeds' world as demo data: Ji'an (Xiajiang, Xingan) and Lishui (Qingyuan) with the
tobacco bureau, the power-supply company and the women's federation.

Loading is idempotent: existing rows (matched by code or name) are left as they are, so
`fugong demo` can run on every start. Later modules add their part in their own function
called from `load()`.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fugong.accounts import services as account_services
from fugong.accounts.models import Membership, Role, User
from fugong.core.transactions import all_or_nothing
from fugong.demo.delivery import load_delivery, tell_shops
from fugong.demo.volunteers import load_volunteers
from fugong.directory import services as directory_services
from fugong.directory.models import Organisation, Region, Site, ZoneStatus
from fugong.notify import services as notify_services
from fugong.notify.models import Channel

DEMO_PASSWORD = "fugong-demo-2026"

# (code, name); levels and parents follow from the codes.
REGIONS = [
    ("360000", "江西省"),
    ("360800", "吉安市"),
    ("360802", "吉州区"),
    ("360823", "峡江县"),
    ("360823100", "巴邱镇"),
    ("360823101", "仁和镇"),
    ("360823102", "砚溪镇"),
    ("360823103", "罗田镇"),
    ("360823104", "水边镇"),
    ("360823105", "马埠镇"),
    ("360823200", "戈坪乡"),
    ("360823201", "金江乡"),
    ("360823202", "桐林乡"),
    ("360823203", "福民乡"),
    ("360824", "新干县"),
    ("360824100", "金川镇"),
    ("360824101", "三湖镇"),
    ("360824102", "大洋洲镇"),
    ("360824103", "七琴镇"),
    ("360824104", "麦斜镇"),
    ("360824105", "界埠镇"),
    ("360824106", "溧江镇"),
    ("360824200", "桃溪乡"),
    ("360824201", "城上乡"),
    ("360824202", "潭丘乡"),
    ("330000", "浙江省"),
    ("331100", "丽水市"),
    ("331102", "莲都区"),
    ("331121", "青田县"),
    ("331122", "缙云县"),
    ("331123", "遂昌县"),
    ("331124", "松阳县"),
    ("331125", "云和县"),
    ("331126", "庆元县"),
    ("331127", "景宁畲族自治县"),
    ("331181", "龙泉市"),
    ("331126001", "濛洲街道"),
    ("331126002", "屏都街道"),
    ("331126003", "松源街道"),
    ("331126100", "黄田镇"),
    ("331126101", "竹口镇"),
    ("331126102", "荷地镇"),
    ("331126103", "左溪镇"),
    ("331126104", "贤良镇"),
    ("331126105", "百山祖镇"),
    ("331126001201", "西演村"),
    ("331126003202", "会溪村"),
]

# Region code -> (status, days ago, note): Xiajiang was closed and is now in grid management.
ZONE_HISTORY = {
    "360823": [("closed", 12, "县城实施静态管理"), ("partly_open", 2, "由静态管控转为网格区管理")],
    "360823100": [("closed", 12, "静态管理"), ("partly_open", 2, "网格区管理，乡镇道路交通未开放")],
}
SCHEDULED_ZONE_CHANGE = ("360823100", "open", "乡镇道路交通恢复，解除网格区管理")


@dataclass(frozen=True)
class DemoSite:
    name: str
    kind: str
    region: str
    address: str
    lat: str
    lng: str
    hours: str = ""
    phone: str = ""


ORGANISATIONS = [
    (
        "峡江县烟草专卖局",
        "峡江县局",
        Organisation.Kind.TOBACCO_BUREAU,
        "360823",
        "11360823MB17365120",
        [
            DemoSite(
                "峡江县局配送中转站",
                Site.Kind.TRANSFER_STATION,
                "360823101",
                "峡江县仁和镇工业园",
                "27.6312",
                "115.2893",
                "05:30-20:00",
            ),
            DemoSite(
                "巴邱网点",
                Site.Kind.NETWORK_POINT,
                "360823100",
                "峡江县巴邱镇人民北路",
                "27.5823",
                "115.3167",
                "07:00-21:00",
                "0796-3662000",
            ),
            DemoSite(
                "新干金川网点",
                Site.Kind.NETWORK_POINT,
                "360824100",
                "新干县金川镇",
                "27.7469",
                "115.3929",
                "07:00-21:00",
            ),
        ],
    ),
    (
        "国网浙江庆元县供电有限公司",
        "国网庆元县供电公司",
        Organisation.Kind.POWER_SUPPLY,
        "331126",
        "913311267255097835",
        [
            DemoSite(
                "客户服务中心营业厅",
                Site.Kind.SERVICE_HALL,
                "331126003",
                "庆元县松源街道",
                "27.6186",
                "119.0627",
                "08:30-12:00, 14:00-17:30",
                "0578-6122000",
            ),
            # The county town's supply station; the other stations come with the power demo.
            DemoSite(
                "城区供电所",
                Site.Kind.SUPPLY_STATION,
                "331126003",
                "庆元县松源街道新建路",
                "27.6172",
                "119.0571",
                "00:00-24:00",
                "0578-6122100",
            ),
        ],
    ),
    (
        "庆元县妇女联合会",
        "县妇联",
        Organisation.Kind.WOMENS_FEDERATION,
        "331126",
        "",
        [
            DemoSite(
                "县妇联办公室", Site.Kind.OFFICE, "331126001", "庆元县濛洲街道", "27.6195", "119.0598", "08:30-17:30"
            ),
            DemoSite(
                "西演村卡口",
                Site.Kind.CHECKPOINT,
                "331126001201",
                "濛洲街道西演村入口",
                "27.6301",
                "119.0412",
                "06:00-22:00",
            ),
            DemoSite(
                "会溪村卡口",
                Site.Kind.CHECKPOINT,
                "331126003202",
                "松源街道会溪村入口",
                "27.6005",
                "119.0789",
                "06:00-22:00",
            ),
        ],
    ),
]

# username, full name, mobile, role, organisation short name or region code, site name
USERS = [
    ("admin", "平台管理员", "13800000000", Role.PLATFORM_ADMIN, None, None),
    ("xiajiang", "峡江县复工办", "13907960001", Role.COUNTY_COORDINATOR, "360823", None),
    ("qingyuan", "庆元县复工办", "13905780001", Role.COUNTY_COORDINATOR, "331126", None),
    ("lishui", "丽水市复工办", "13905780006", Role.COUNTY_COORDINATOR, "331100", None),  # sets the city's index
    ("huanghuiyun", "黄晖云", "13907960002", Role.ORG_ADMIN, "峡江县局", None),
    ("huyao", "胡垚", "13907960003", Role.SITE_STAFF, "峡江县局", "巴邱网点"),
    ("wuziqiang", "吴自强", "13907960004", Role.SITE_STAFF, "峡江县局", "巴邱网点"),
    ("laoyan", "老严", "13907960005", Role.VOLUNTEER, "峡江县局", None),
    ("hufenfen", "胡芬芬", "13905780002", Role.SITE_STAFF, "国网庆元县供电公司", "客户服务中心营业厅"),
    ("qy_power", "庆元供电管理员", "13905780003", Role.ORG_ADMIN, "国网庆元县供电公司", None),
    ("yejianguo", "叶建国", "13905780007", Role.SITE_STAFF, "国网庆元县供电公司", "城区供电所"),  # field crew
    ("wuyuanzi", "吴远姿", "13905780004", Role.ORG_ADMIN, "县妇联", None),
    ("yezeyun", "叶泽云", "13905780005", Role.VOLUNTEER, "县妇联", None),
]


def _regions() -> None:
    for code, name in REGIONS:
        if Region.objects.filter(code=code).exists():
            continue
        level = directory_services.infer_level(code)
        parent_code = directory_services.parent_code_of(code, level)
        parent = Region.objects.get(code=parent_code) if parent_code else None
        directory_services.save_region(None, code=code, name=name, level=level, parent=parent)
    now = timezone.now()
    for code, changes in ZONE_HISTORY.items():
        region = Region.objects.get(code=code)
        if region.zone_history.exists():
            continue
        for status, days_ago, note in changes:
            directory_services.set_zone_status(
                None, region, ZoneStatus(status), effective_at=now - timedelta(days=days_ago), note=note
            )
    # One change due, so the coordinator sees what scheduling ahead looks like (and may withdraw it).
    code, status, note = SCHEDULED_ZONE_CHANGE
    region = Region.objects.get(code=code)
    if not region.zone_history.filter(effective_at__gt=now).exists():
        tomorrow_eight = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1)
        directory_services.set_zone_status(None, region, ZoneStatus(status), effective_at=tomorrow_eight, note=note)


def _organisations() -> None:
    for name, short, kind, region_code, credit_code, sites in ORGANISATIONS:
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = directory_services.create_organisation(
                None,
                name=name,
                short_name=short,
                kind=kind,
                region=Region.objects.get(code=region_code),
                credit_code=credit_code,
            )
        for site in sites:
            if Site.objects.filter(organisation=org, name=site.name).exists():
                continue
            directory_services.create_site(
                None,
                organisation=org,
                name=site.name,
                kind=site.kind,
                region=Region.objects.get(code=site.region),
                address=site.address,
                latitude=Decimal(site.lat),
                longitude=Decimal(site.lng),
                opening_hours=site.hours,
                phone=site.phone,
            )


def demo_user(username: str, full_name: str, mobile: str, membership: Membership) -> None:
    """A demo login with the demo password, unless it is there already (loading twice is safe)."""
    if not User.objects.filter(username=username).exists():
        account_services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            mobile=mobile,
            membership=membership,
        )


def _users() -> list[tuple[str, str, str, str]]:
    logins = []
    for username, full_name, mobile, role, where, site_name in USERS:
        org = Organisation.objects.filter(short_name=where).first() if where else None
        region = Region.objects.filter(code=where).first() if role == Role.COUNTY_COORDINATOR else None
        site = Site.objects.get(organisation=org, name=site_name) if site_name else None
        demo_user(username, full_name, mobile, Membership(role=role, organisation=org, region=region, site=site))
        label = str(org or region or "")
        logins.append((username, full_name, str(Role(role).label), label))
    return logins


VOLUNTEER_CALL = (
    "volunteer_call",
    "{team}：{task}，时间 {time}，地点 {place}。能否参加请点 {link}",
    ["team", "task", "time", "place", "link"],
)

VOLUNTEER_DUTY = (
    "volunteer_duty",
    "{name}，{team}的值班表和签到请点 {link}（本链接仅限本人使用）",
    ["name", "team", "link"],
)

# The power company's notice of 12 February (seed 004), and the bureau's delivery notice.
DEMO_TEMPLATES: dict[str, list[tuple[str, str, list[str]]]] = {
    "国网庆元县供电公司": [
        (
            "epidemic_relaxation",
            "尊敬的电力客户，为积极响应国家疫情防控相关要求，降低企业用电成本，对于已办理暂停减容业务，"
            "现需要继续停用的，电力公司将自动给予续期；对于未办理暂停减容业务仍需要停工的，已临时性放宽变更周期"
            "及暂停时间限制，企业可选择“按天”办理暂停减容手续，待企业复工时再申请恢复。",
            [],
        ),
    ],
    "峡江县局": [
        (
            "order_dispatched",
            "{shop}，您订购的卷烟已排入今日配送，预计 {eta} 送达，请在店内等候收货。",
            ["shop", "eta"],
        ),
        ("order_near", "{shop}，送货车辆还有两站到达，预计 {eta} 送达，请准备无接触收货。", ["shop", "eta"]),
        (
            "delivery_route",
            "{name}，今天的第 {route} 号线路共 {stops} 个送货点，{start} 出发。线路和签收请点 {link}（仅限本人使用）",
            ["name", "route", "stops", "start", "link"],
        ),
        (
            "plan_stops_held",
            "{area}已封控：{day} 配送计划中有 {n} 个送货点暂缓，司机页面已停止这些点的签收，请到计划页面查看。",
            ["area", "day", "n"],
        ),
        ("shop_notice", "{shop}：{notice}（峡江县烟草专卖局）", ["shop", "notice"]),
        VOLUNTEER_CALL,
        VOLUNTEER_DUTY,
    ],
    "县妇联": [VOLUNTEER_CALL, VOLUNTEER_DUTY],
}


# The counties' own channels, for their coordinators' calls for help and duty links.
COUNTY_TEMPLATES: dict[str, list[tuple[str, str, list[str]]]] = {
    "360823": [VOLUNTEER_CALL, VOLUNTEER_DUTY],
    "331126": [VOLUNTEER_CALL, VOLUNTEER_DUTY],
}


def _channels() -> None:
    """A console channel per organisation and per county: messages land in var/outbox.jsonl,
    nothing leaves."""
    for short_name, templates in DEMO_TEMPLATES.items():
        org = Organisation.objects.get(short_name=short_name)
        _console(f"{short_name}（演示控制台）", templates, organisation=org)
    for code, templates in COUNTY_TEMPLATES.items():
        region = Region.objects.get(code=code)
        _console(f"{region.name}复工办（演示控制台）", templates, region=region)


def _console(name: str, templates: list[tuple[str, str, list[str]]], **owner: Any) -> None:
    channel = Channel.objects.filter(name=name).first() or notify_services.save_channel(
        None, name=name, kind="console", rate_per_minute=600, **owner
    )
    for kind, text, parameters in templates:
        if not channel.templates.filter(kind=kind).exists():
            notify_services.save_template(None, channel, kind=kind, text=text, parameters=parameters)


@all_or_nothing
def load(
    *,
    volunteers: bool = True,
    delivery: bool = True,
    screening: bool = True,
    power: bool = True,
    resumption: bool = True,
) -> list[tuple[str, str, str, str]]:
    """Load the demo world; returns (username, name, role, where) for the printed logins.
    `volunteers=False` leaves out the year of team records, `delivery=False` the shops and
    their orders, `screening=False` the sites' month of check-ins, `power=False` the power
    company's 23,400 accounts, applications, hall queues and priority line (tests that do not
    need them), `resumption=False` Lishui's meter readings and index."""
    _regions()
    _organisations()
    _channels()
    logins = _users()
    if volunteers:
        load_volunteers()
    if delivery:
        load_delivery()
        tell_shops()
    if screening:
        from fugong.demo.screening import load_screening  # it uses this module's demo password

        if not volunteers:
            load_volunteers(mutual_aid_only=True)
        load_screening()
    if power:
        from fugong.demo.power import load_power

        load_power()
    if resumption:
        from fugong.demo.resumption import load_resumption

        load_resumption()
    return logins
