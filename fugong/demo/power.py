"""Qingyuan's power service as demo data (seed 004): 23,400 accounts, the epidemic relaxation
with enterprises' suspensions and their one-call restorations (浙江昌达实业, 浙江金辉木业,
丽水市大乾坤石材 among them), a week of hall queues, and the priority line's residents with
their visits and revisits.

Accounts and past days are written in bulk (the services check one change at a time; a past
week cannot be replayed through them); today's changes go through the services, SMS and all.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fugong.accounts.models import Membership, Role, User
from fugong.core.clock import local_time
from fugong.core.pinyin import search_key
from fugong.core.transactions import services_join
from fugong.directory import services as directory_services
from fugong.directory.models import Organisation, Region, Site
from fugong.notify.models import Channel
from fugong.power.models import (
    ApplicationEvent,
    CapacityApplication,
    CapacityTariff,
    FieldOrder,
    HomeVisit,
    PowerAccount,
    PriorityCall,
    Resident,
    Revisit,
    Step,
    SuspensionRules,
    Ticket,
    Window,
    default_urgency,
)
from fugong.power.services import applications, hall, priority, telling
from fugong.screening.models import CheckIn, Decision

from .world import demo_user

ACCOUNTS = 23_400
ENTERPRISE_SHARE = 0.08
# Town code -> supply station (the county town's three streets share the city station).
STATIONS = {
    "331126001": "城区供电所",
    "331126002": "城区供电所",
    "331126003": "城区供电所",
    "331126100": "黄田供电所",
    "331126101": "竹口供电所",
    "331126102": "荷地供电所",
    "331126103": "左溪供电所",
    "331126104": "贤良供电所",
    "331126105": "百山祖供电所",
}
TOWN_WEIGHTS = [30, 14, 16, 9, 9, 6, 5, 5, 6]
INDUSTRY_WEIGHTS = {
    "manufacturing": 34,
    "agriculture": 14,
    "trade": 16,
    "hospitality": 9,
    "construction": 6,
    "business": 7,
    "transport": 4,
    "public": 4,
    "information": 2,
    "mining": 2,
    "utilities": 2,
}
TRADE_WORDS = {
    "manufacturing": ["竹木制品", "木业", "锁具", "机械", "包装", "电子", "食用菌加工", "竹业"],
    "agriculture": ["香菇", "食用菌", "生态农业", "茶业", "灵芝", "养殖"],
    "trade": ["香菇市场", "商贸", "超市", "建材经营部", "农资"],
    "hospitality": ["大酒店", "宾馆", "农家乐", "餐饮"],
    "construction": ["建筑工程", "市政工程", "装饰工程"],
    "business": ["物业管理", "文化传媒", "旅游开发"],
    "transport": ["物流", "运输", "客运"],
    "public": ["中学", "卫生院", "自来水厂"],
    "information": ["网络科技", "通信"],
    "mining": ["石材", "矿业"],
    "utilities": ["水电站", "燃气"],
}
NAME_WORDS = [
    "菇乡",
    "百山",
    "松源",
    "濛洲",
    "屏都",
    "竹口",
    "黄田",
    "荷地",
    "左溪",
    "贤良",
    "丰源",
    "永盛",
    "华宇",
    "林海",
    "兴达",
    "鑫源",
    "恒泰",
    "金盛",
    "绿源",
    "庆丰",
]
SURNAMES = "吴叶胡周季陈姚刘练沈张王李毛范杨徐"
GIVEN = ["建平", "海英", "志刚", "秀芳", "小军", "丽华", "国强", "美娟", "伟民", "桂兰", "金水", "晓东", "春花", "德明"]
# The seed's enterprises, and ten more that restored supply by phone (name, industry, kVA, town).
NAMED = [
    ("浙江昌达实业有限公司", "manufacturing", 1250, "331126003"),
    ("浙江金辉木业有限公司", "manufacturing", 800, "331126101"),
    ("丽水市大乾坤石材有限公司", "mining", 630, "331126100"),
    ("庆元县菇乡食品有限公司", "manufacturing", 500, "331126002"),
    ("庆元县华宇竹业有限公司", "manufacturing", 400, "331126101"),
    ("浙江百山祖生态农业有限公司", "agriculture", 315, "331126105"),
    ("庆元县林海木制品厂", "manufacturing", 630, "331126100"),
    ("庆元县永盛机械有限公司", "manufacturing", 400, "331126003"),
    ("庆元县丰源电子有限公司", "manufacturing", 800, "331126002"),
    ("庆元县鑫源包装有限公司", "manufacturing", 315, "331126003"),
    ("庆元县香菇市场管理有限公司", "trade", 500, "331126001"),
    ("庆元县松源大酒店有限公司", "hospitality", 630, "331126003"),
    ("庆元县恒泰建材有限公司", "construction", 400, "331126104"),
]

NAMED_HOLDERS = frozenset(name for name, *_rest in NAMED)
# The stations' field crews (电工), besides 叶建国 of the county town's station.
CREWS = {
    "城区供电所": ["吴志强"],
    "黄田供电所": ["周国强", "胡伟民"],
    "竹口供电所": ["季小军", "陈德明"],
    "荷地供电所": ["姚金水", "刘晓东"],
    "左溪供电所": ["练建平", "沈志刚"],
    "贤良供电所": ["张国强", "王伟民"],
    "百山祖供电所": ["李金水", "毛德明"],
}


def load_power(*, accounts: int = ACCOUNTS, hall_days: int = 7) -> None:
    """`accounts`: how many accounts the county has (tests load a few hundred)."""
    rng = random.Random(2020)  # noqa: S311 - variety for demo data, not security
    # Below, each part loads whole or not at all: the services it calls join its transaction.
    company = Organisation.objects.get(short_name="国网庆元县供电公司")
    channel = Channel.objects.filter(organisation=company).order_by("pk").first()
    if channel is not None:
        telling.install_templates(None, channel)
    today = timezone.localdate()
    if not SuspensionRules.objects.filter(organisation=company).exists():
        applications.save_rules(None, company, epidemic_from=today - timedelta(days=40), extension_days=15)
    if not CapacityTariff.objects.filter(organisation=company).exists():
        applications.set_tariff(None, company, effective_from=date(today.year - 2, 1, 1), price=Decimal("30.00"))
    with transaction.atomic(), services_join(many=True):
        _stations(company)
        if not PowerAccount.objects.filter(organisation=company).exists():
            _accounts(rng, company, accounts)
        if not CapacityApplication.objects.filter(account__organisation=company).exists():
            _applications(rng, company, today)
    site = Site.objects.get(organisation=company, name="客户服务中心营业厅")
    with transaction.atomic(), services_join(many=True):
        if not Window.objects.filter(site=site).exists():
            _windows(site)
            _past_queues(rng, site, today, hall_days)
            _today_queue(rng, site)
    with transaction.atomic(), services_join(many=True):
        if not Resident.objects.filter(organisation=company).exists():
            _priority_line(rng, company, today)


def _stations(company: Organisation) -> None:
    """Each supply station a site with a field crew of two (its site staff): a restoration is
    sent to the crew of the enterprise's station. The county town's station and 叶建国 (a demo
    login) come with the world."""
    number = 0
    first_towns = {station: code for code, station in reversed(STATIONS.items())}
    for station, code in sorted(first_towns.items(), key=lambda item: item[1]):
        site = Site.objects.filter(organisation=company, name=station).first()
        if site is None:
            town = Region.objects.get(code=code)
            site = directory_services.create_site(
                None,
                organisation=company,
                name=station,
                kind=Site.Kind.SUPPLY_STATION,
                region=town,
                address=f"庆元县{town.name}",
                opening_hours="00:00-24:00",
            )
        for name in CREWS.get(station, ()):
            number += 1
            staff = Membership(role=Role.SITE_STAFF, organisation=company, site=site)
            demo_user(f"qyfield{number:02d}", name, f"139057820{number:02d}", staff)


def _towns() -> list[Region]:
    return [Region.objects.get(code=code) for code in STATIONS]


def _accounts(rng: random.Random, company: Organisation, count: int) -> None:
    towns = _towns()
    rows = []
    for index, (name, industry, kva, town) in enumerate(NAMED, start=1):
        region = Region.objects.get(code=town)
        rows.append(_enterprise(rng, company, index, name, industry, kva, region))
    industries, weights = zip(*INDUSTRY_WEIGHTS.items(), strict=True)
    enterprises = max(len(NAMED), int(count * ENTERPRISE_SHARE))
    for index in range(len(NAMED) + 1, count + 1):
        region = rng.choices(towns, TOWN_WEIGHTS)[0]
        if index <= enterprises:
            industry = rng.choices(industries, weights)[0]
            name = f"庆元县{rng.choice(NAME_WORDS)}{rng.choice(TRADE_WORDS[industry])}有限公司"
            while name in NAMED_HOLDERS:  # the seed's enterprises are one account each
                name = f"庆元县{rng.choice(NAME_WORDS)}{rng.choice(TRADE_WORDS[industry])}有限公司"
            kva = rng.choice([50, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000])
            rows.append(_enterprise(rng, company, index, name, industry, kva, region))
        else:
            rows.append(_household(rng, company, index, region))
    PowerAccount.objects.bulk_create(rows, batch_size=2000)


def _number(index: int) -> str:
    return f"33126{index:05d}"


def _mobile(rng: random.Random) -> str:
    return f"+86139{rng.randint(0, 99_999_999):08d}"


def _enterprise(
    rng: random.Random, company: Organisation, index: int, name: str, industry: str, kva: int, region: Region
) -> PowerAccount:
    contact = rng.choice(SURNAMES) + rng.choice(["总", "经理", "厂长"])
    return PowerAccount(
        organisation=company,
        number=_number(index),
        holder=name,
        kind="enterprise",
        voltage="high" if kva >= 315 else "low",
        billing="two_part" if kva >= 315 else "single",
        industry=industry,
        capacity_kva=kva,
        region=region,
        supply_station=STATIONS[region.code],
        address=f"{region.name}工业园区{rng.randint(1, 80)}号",
        contact_name=contact,
        mobile=_mobile(rng),
        search_key=search_key(name, _number(index), contact),
    )


def _household(rng: random.Random, company: Organisation, index: int, region: Region) -> PowerAccount:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return PowerAccount(
        organisation=company,
        number=_number(index),
        holder=name,
        kind="resident",
        voltage="low",
        billing="single",
        capacity_kva=rng.choice([4, 6, 8, 8, 10, 12]),
        region=region,
        supply_station=STATIONS[region.code],
        address=f"{region.name}{rng.randint(1, 300)}号",
        mobile=_mobile(rng) if rng.random() < 0.7 else "",
        search_key=search_key(name, _number(index)),
    )


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return local_time(day, time(hour, minute))


def _history(application: CapacityApplication, steps: list[tuple[Step, datetime, str]]) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=application, step=step, at=at, detail=detail, sms_sent=step != Step.STARTED)
        for step, at, detail in steps
    )


def _applications(rng: random.Random, company: Organisation, today: date) -> None:
    """The relaxation began 40 days ago; the named enterprises suspended by the day and came
    back with one call; others are still out, some extended, some just applied."""
    relaxation = today - timedelta(days=40)
    named = list(PowerAccount.objects.filter(organisation=company, holder__in=[n[0] for n in NAMED]).order_by("number"))
    for position, account in enumerate(named):
        start = relaxation + timedelta(days=2 + position % 4)
        restore = today - timedelta(days=12 - position % 9)
        first_end = start + timedelta(days=14)
        applied, decided = _moment(start - timedelta(days=1), 10), _moment(start - timedelta(days=1), 15)
        requested, restored = _moment(restore - timedelta(days=1), 9, 20), _moment(restore, 10, 30)
        application = CapacityApplication.objects.create(
            account=account,
            kind="suspension",
            capacity_kva=account.capacity_kva,
            start_on=start,
            end_on=max(first_end, restore - timedelta(days=1)),
            status="restored",
            channel="phone",
            by_the_day=True,
            applied_at=applied,
            decided_at=decided,
            extensions=1 if restore - timedelta(days=1) > first_end else 0,
            restore_on=restore,
            restoration_requested_at=requested,
            restored_at=restored,
        )
        FieldOrder.objects.create(
            application=application,
            station=account.supply_station,
            due_on=restore,
            created_at=requested,
            done_at=restored,
            note="已恢复送电",
        )
        steps = [(Step.APPLIED, applied, ""), (Step.APPROVED, decided, ""), (Step.STARTED, _moment(start, 7), "")]
        if application.extensions:
            steps.append((Step.EXTENDED, _moment(first_end - timedelta(days=1), 7), str(application.end_on)))
        steps += [
            (Step.RESTORATION_REQUESTED, requested, "phone: 企业负责人来电申请复工恢复用电"),
            (Step.RESTORED, restored, "已恢复送电"),
        ]
        _history(application, steps)
    # Others still out: by the day, open-ended or extended; the daily job keeps them going.
    others = list(
        PowerAccount.objects.filter(organisation=company, kind="enterprise", billing="two_part")
        .exclude(holder__in=[n[0] for n in NAMED])
        .order_by("number")[:40]
    )
    for position, account in enumerate(others):
        start = relaxation + timedelta(days=rng.randint(1, 30))
        open_ended = position % 3 == 0
        end = None if open_ended else max(today + timedelta(days=rng.randint(1, 14)), start)
        kind = "reduction" if position % 5 == 0 else "suspension"
        kva = account.capacity_kva if kind == "suspension" else account.capacity_kva // 2
        application = CapacityApplication.objects.create(
            account=account,
            kind=kind,
            capacity_kva=kva,
            start_on=start,
            end_on=end,
            status="in_effect",
            channel=rng.choice(["phone", "counter", "online"]),
            by_the_day=True,
            applied_at=_moment(start - timedelta(days=1), 11),
            decided_at=_moment(start - timedelta(days=1), 16),
            extensions=0 if open_ended else (today - start).days // 15,
        )
        _history(
            application,
            [
                (Step.APPLIED, application.applied_at, ""),
                (Step.APPROVED, application.decided_at, ""),  # type: ignore[list-item]
                (Step.STARTED, _moment(start, 7), ""),
            ],
        )
    # Today, through the services (and their SMS): applications waiting, one call to restore.
    tomorrow = today + timedelta(days=1)
    fresh = list(
        PowerAccount.objects.filter(organisation=company, kind="enterprise")
        .exclude(applications__isnull=False)
        .order_by("number")[:3]
    )
    for account in fresh:
        applications.apply(None, account, kind="suspension", capacity_kva=account.capacity_kva, start_on=tomorrow)
    # A call today from the county town, sent to 叶建国 of its station's crew (his field page).
    calling = (
        CapacityApplication.objects.filter(
            account__in=others, account__supply_station="城区供电所", status="in_effect", start_on__lt=today
        )
        .order_by("pk")
        .first()
    )
    if calling is not None:
        applications.request_restoration(None, calling, note="企业负责人来电：今日复工")
        crew = User.objects.filter(username="yejianguo").first()
        if crew is not None:
            applications.dispatch_field_order(None, FieldOrder.objects.get(application=calling), crew)


def _windows(site: Site) -> None:
    everyday = ["pay_bill", "invoice", "consultation"]
    hall.save_window(None, site, number=1, kinds=everyday)
    hall.save_window(None, site, number=2, kinds=[*everyday, "installation", "suspension"])
    hall.save_window(None, site, number=3, kinds=["installation", "suspension", "consultation"])


KIND_WEIGHTS = {"pay_bill": 45, "invoice": 15, "installation": 10, "consultation": 20, "suspension": 10}
WINDOWS_FOR = {
    "pay_bill": [1, 2],
    "invoice": [1, 2],
    "consultation": [1, 2, 3],
    "installation": [2, 3],
    "suspension": [2, 3],
}


def _past_queues(rng: random.Random, site: Site, today: date, days: int) -> None:
    windows = {w.number: w for w in Window.objects.filter(site=site)}
    staff: list[int | None] = [*site.staff_memberships.values_list("user_id", flat=True)] or [None]
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    rows = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:
            continue  # closed on Sundays
        numbers = dict.fromkeys(kinds, 0)
        free_at = {n: _moment(day, 8, 30) for n in windows}
        # A county hall in the epidemic: 80-140 visitors a day, more in the morning, served in
        # the order they came (numbers taken in time order, or the windows would seem to serve
        # a 16:00 visitor before an 08:40 one and waits would run to hours).
        moments = []
        for _ in range(rng.randint(80, 140)):
            hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 17])
            first, last = {8: (30, 59), 17: (0, 20)}.get(hour, (0, 59))  # opens 08:30, last numbers 17:20
            moments.append(_moment(day, hour, rng.randint(first, last)))
        for taken in sorted(moments):
            kind = rng.choices(kinds, weights)[0]
            numbers[kind] += 1
            number = min(WINDOWS_FOR[kind], key=lambda n: free_at[n])
            called = max(taken + timedelta(minutes=rng.randint(1, 4)), free_at[number])
            done = called + timedelta(minutes=rng.randint(2, 12), seconds=rng.randint(0, 59))
            free_at[number] = done
            came = rng.random() > 0.03
            rows.append(
                Ticket(
                    site=site,
                    day=day,
                    kind=kind,
                    number=numbers[kind],
                    priority=rng.random() < 0.05,
                    status="served" if came else "no_show",
                    taken_at=taken,
                    window=windows[number],
                    called_at=called,
                    announced_at=called,
                    calls=1 if came else 2,
                    finished_at=done if came else called + timedelta(minutes=3),
                    served_by_id=rng.choice(staff),
                )
            )
    Ticket.objects.bulk_create(rows, batch_size=1000)


def _today_queue(rng: random.Random, site: Site) -> None:
    """This morning's visitors admitted at the door take numbers; window 2 is calling one."""
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    start = local_time(timezone.localdate(), time(0))
    admitted = CheckIn.objects.filter(venue__site=site, at__gte=start, final_decision=Decision.ADMIT)
    for record in admitted.order_by("at")[:12]:
        hall.take_ticket(None, site, rng.choices(kinds, weights)[0], checkin=record, priority=rng.random() < 0.1)
    window = Window.objects.get(site=site, number=2)
    served = hall.call_next(None, window)
    if served is not None:
        hall.finish(None, served)
        hall.call_next(None, window)


def _priority_line(rng: random.Random, company: Organisation, today: date) -> None:
    villages = [Region.objects.get(code=code) for code in ("331126001201", "331126003202")]
    towns = [*villages, *Region.objects.filter(code__in=["331126100", "331126102", "331126103", "331126105"])]
    kinds = ["elderly_alone"] * 5 + ["left_behind"] * 3 + ["disabled"] * 2
    for index in range(40):
        region = rng.choice(towns)
        resident = Resident.objects.create(
            organisation=company,
            name=rng.choice(SURNAMES) + rng.choice(["奶奶", "爷爷", "阿婆", "大伯"]),
            kind=rng.choice(kinds),
            phone=f"+86578{rng.randint(6_000_000, 6_999_999)}" if index % 3 else _mobile(rng),
            address=f"{region.name}{rng.randint(1, 120)}号",
            region=region,
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + "（子女）",
            contact_phone=_mobile(rng),
            registered_on=today - timedelta(days=rng.randint(60, 700)),
        )
        if index >= 28:
            continue  # registered, has not called yet
        received = _moment(today - timedelta(days=rng.randint(2, 45)), rng.randint(8, 18), rng.randint(0, 59))
        call = PriorityCall.objects.create(
            resident=resident,
            received_at=received,
            **_need(rng.choice(PRIORITY_NEEDS)),
            status="visited",
            assigned_at=received + timedelta(minutes=10),
        )
        visited = received + timedelta(hours=rng.randint(1, 5))
        HomeVisit.objects.create(
            call=call, visited_at=visited, visitor="营业班上门服务组", findings="已上门检查线路并讲解安全用电"
        )
        due = timezone.localdate(visited) + priority.REVISIT_AFTER
        done = due < today - timedelta(days=1) and index % 5 != 0  # every fifth overdue one stays open
        Revisit.objects.create(
            call=call,
            resident=resident,
            due_on=due,
            created_at=visited,
            done_at=_moment(due, 10) if done else None,
            outcome="老人身体健康，用电正常" if done else "",
        )
    # Two calls today, through the service: one urgent waiting for someone.
    callers = list(Resident.objects.filter(organisation=company).order_by("-pk")[:2])
    priority.receive_call(None, callers[0], need="家里停电，老人独居", kind="power_cut")  # urgent by its kind
    priority.receive_call(None, callers[1], need="想问问电费为什么变多了", kind="bill")


# What residents called about, and its kind (no power and hazards are urgent).
PRIORITY_NEEDS = [
    ("家里没电了", "power_cut"),
    ("电费怎么交", "bill"),
    ("插座冒火花", "hazard"),
    ("想装个电热水器", "appliance"),
    ("电灯一闪一闪", "other"),
]


def _need(need_and_kind: tuple[str, str]) -> dict[str, str]:
    need, kind = need_and_kind
    return {"need": need, "kind": kind, "urgency": default_urgency(kind)}
