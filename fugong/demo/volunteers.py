"""Demo teams from the seeds: Baqiu's mutual-aid groups (老严, 何娣) with their tricycles and vans,
Qingyuan's 美丽帮帮团 with checkpoint rosters, a year of activities and parcels, and the 美丽舅妈
mediation teams with their cases.

Everything goes through the volunteers services with actor=None. A team that already exists
(same organisation and name) is skipped whole, so loading can run on every start.
"""

import random
from datetime import date, time, timedelta

from django.utils import timezone

from fugong.accounts.models import User
from fugong.core.clock import local_time
from fugong.directory.models import Organisation, Region, Site
from fugong.volunteers.models import Activity, FunctionalGroup, Member, Offer, OfferState, Team, TeamKind
from fugong.volunteers.services.ledger import record_activity, record_aid
from fugong.volunteers.services.mediation import Party, close_case, follow_up, open_case, record_session
from fugong.volunteers.services.offers import Days, offer_from_member
from fugong.volunteers.services.shifts import assign, plan_roster, sign_in, sign_out
from fugong.volunteers.services.teams import add_availability, save_member, save_offer, save_team, set_leader

# name, region, founded, leader (name, mobile, username), members with the leader, kinds of activity
BAQIU = [
    ("巴邱南路诚信互助小组", "360823100", date(2019, 4, 1), ("老严", "13907960005", "laoyan"), 8, ""),
    ("人民北路诚信互助小组", "360823100", date(2019, 4, 1), ("何娣", "13907960011", ""), 7, ""),
]
VOLUNTEER_TEAMS = [
    ("西演美丽帮帮团", "331126001201", date(2017, 3, 8), ("叶泽云", "13905780005", "yezeyun"), 18, "ccsswpkk"),
    ("会溪美丽帮帮团", "331126003202", date(2017, 9, 1), ("吴春美", "", ""), 12, "ccsswkkw"),
    ("城区美丽帮帮团", "331126001", date(2015, 6, 1), ("季丽华", "", ""), 15, "sssppwk"),
    ("巧手姐妹美丽帮帮团", "331126002", date(2016, 5, 20), ("周秀英", "", ""), 10, "sspppw"),
    ("舞林辣妈美丽帮帮团", "331126003", date(2018, 3, 8), ("胡美玲", "", ""), 12, "ssspppw"),
    ("竹口美丽帮帮团", "331126101", date(2016, 10, 1), ("姚雪梅", "", ""), 9, "sswwkkp"),
    ("黄田美丽帮帮团", "331126100", date(2019, 1, 15), ("陈素芬", "", ""), 8, "sswkkp"),
]
MEDIATION_TEAMS = [
    ("濛洲美丽舅妈调解队", "331126001", date(2018, 6, 1), ("吴月娥", "", ""), 5, ""),
    ("松源美丽舅妈调解队", "331126003", date(2018, 6, 1), ("叶桂香", "", ""), 4, ""),
]
KIND_CODES = {"c": "checkpoint", "s": "cleaning", "w": "care_visit", "k": "errands", "p": "publicity"}
TITLES = {
    "checkpoint": ["村口设卡，查验健康码、测体温", "卡口值守，登记进村人员和车辆"],
    "cleaning": ["清扫村道，为垃圾桶消毒", "责任街区巡查劝导、卫生保洁", "庭院美化，清理房前屋后杂物"],
    "care_visit": ["走访慰问留守老人", "看望留守儿童和困境妇女"],
    "errands": ["帮居家隔离户喂养家禽", "为独居老人代购生活物资"],
    "publicity": ["上门发放防疫宣传单", "宣传垃圾分类和卫生保洁理念"],
    "handout": ["发放母亲邮包和爱心礼包"],
}
SERVED = {"checkpoint": (20, 40), "cleaning": (0, 5), "care_visit": (3, 15), "errands": (2, 10)}
SERVED_DEFAULT = (10, 40)
# days ago, item, quantity range, from whom: the parcels each federation team receives
RECEIPTS = [
    (364, "mother_parcel", (25, 40), "县妇联"),
    (330, "gift_package", (500, 700), "爱心企业"),
    (160, "mother_parcel", (15, 25), "县妇联"),
    (130, "gift_package", (400, 600), "爱心企业"),
]
HANDOUT = {"mother_parcel": (6, 12), "gift_package": (150, 260)}
# owner index, kind, capacity in cartons, plate, note; drivers are the team's licensed members
VEHICLES = {
    "巴邱南路诚信互助小组": [
        (0, "e_tricycle", 400, "", "平时送桶装水的电动三轮车"),
        (1, "van", 1800, "赣D·3A712", "家里的送货车"),
        (3, "tricycle", 300, "", ""),
    ],
    "人民北路诚信互助小组": [
        (0, "van", 1500, "赣D·5K208", "新世纪超市送货车"),
        (2, "e_tricycle", 500, "", ""),
        (3, "tricycle", 350, "", ""),
    ],
}
BAQIU_LICENCES = ["C1", "C1", "D", "D", "", "C1", "", ""]
# Offers members sent from their phones, waiting for 老严 to confirm: owner index, what, days from
# tomorrow, (vehicle kind, capacity, plate) or skill, note
PHONE_OFFERS = {
    "巴邱南路诚信互助小组": [
        (5, "vehicle", 2, ("car", 400, "赣D·7M351"), "小轿车后备箱和后座都能装"),
        (2, "time", 1, None, "上午有空，可以帮忙搬货"),
    ],
}
ROSTERS = {  # team: site, people per turn, {(days from today, turn): people missing}
    "西演美丽帮帮团": ("西演村卡口", 3, {(1, 2): 1, (2, 0): 2}),
    "会溪美丽帮帮团": ("会溪村卡口", 2, {(1, 0): 1, (2, 2): 2}),
}
CASES = [
    ("family", "婆媳因照看孩子和家务分工长期不和"),
    ("neighbours", "相邻两户因排水沟堵塞、污水漫流发生争执"),
    ("property", "兄弟分家时对老宅宅基地分割有争议"),
    ("family", "丈夫外出务工长期不寄生活费，妻子提出离婚"),
    ("neighbours", "邻居在公共通道堆放柴火，影响通行"),
    ("property", "承包茶山界址不清，两户互不相让"),
    ("family", "子女对赡养老人的费用分担意见不一"),
    ("neighbours", "疫情期间邻里因隔离户出入问题发生口角"),
    ("property", "香菇大棚租期届满，续租价格谈不拢"),
    ("family", "再婚家庭子女抚养费纠纷"),
    ("neighbours", "新建房屋遮挡邻居采光"),
    ("property", "林地流转合同到期后的补偿争议"),
]
OUTCOMES = ["agreement", "resolved", "agreement", "resolved", "agreement", "referred"]
SURNAMES = "吴叶周胡陈季杨姚练毛范刘"
GIVEN_WOMEN = [
    "秀英",
    "丽华",
    "美玲",
    "小芳",
    "雪梅",
    "素芬",
    "月娥",
    "红英",
    "玉兰",
    "海燕",
    "金凤",
    "彩霞",
    "爱珍",
    "碧云",
]
GIVEN_BAQIU = ["建国", "国平", "志强", "红梅", "卫东", "桂英", "海军", "春生", "冬梅", "明华", "小娟", "水根"]
BAQIU_SURNAMES = "刘胡黄杨郭曾彭邓习袁"


def load_volunteers(*, mutual_aid_only: bool = False) -> None:
    """`mutual_aid_only`: just Baqiu's groups with their vehicles (what delivery tests need)."""
    rng = random.Random(2020)  # noqa: S311 - variety for demo data, not security
    used = set(Member.objects.values_list("name", flat=True))
    bureau, federation = Organisation.objects.get(short_name="峡江县局"), Organisation.objects.get(short_name="县妇联")
    for number, spec in enumerate(BAQIU, start=1):
        if team := _team(rng, used, bureau, TeamKind.MUTUAL_AID, spec, f"13907961{number}"):
            _vehicles(team)
            _delivery(team, served=64 if number == 1 else 54)
            if team.name in PHONE_OFFERS:
                _offers_from_phones(team)
    if mutual_aid_only:
        _keep_current()
        return
    for number, spec in enumerate(VOLUNTEER_TEAMS, start=1):
        if team := _team(rng, used, federation, TeamKind.VOLUNTEER, spec, f"1390578{number:02d}"):
            _activities(rng, team, spec[5])
            if team.name in ROSTERS:
                _roster(rng, team, *ROSTERS[team.name])
    teams = [
        _team(rng, used, federation, TeamKind.MEDIATION, spec, f"1390578{number:02d}")
        for number, spec in enumerate(MEDIATION_TEAMS, start=len(VOLUNTEER_TEAMS) + 1)
    ]
    if all(teams):
        _cases(rng, [t for t in teams if t])
    _keep_current()


def _keep_current() -> None:
    """Loading again (every `make demo`) tops up what rolls with the calendar, so a county loaded
    last week still has vehicles lent for the coming days and shifts ahead to fill."""
    today = timezone.localdate()
    lent = Offer.objects.filter(
        member__team__name__in=list(VEHICLES), kind="vehicle", is_active=True, state=OfferState.CONFIRMED
    )
    for offer in lent:
        for day in (today + timedelta(days=n) for n in range(3)):
            if not offer.windows.filter(starts_at=local_time(day, time(6))).exists():
                add_availability(None, offer, local_time(day, time(6)), local_time(day, time(21, 30)))
    for name, (site_name, needed, _gaps) in ROSTERS.items():
        team = Team.objects.filter(name=name).first()
        if team is None:
            continue
        site = Site.objects.get(organisation=team.organisation, name=site_name)
        members = list(team.members.filter(left_on__isnull=True).order_by("pk"))
        new = plan_roster(None, team, site, first_day=today, days=7, needed=needed)
        for index, shift in enumerate(new):
            for turn in range(needed - (1 if index % 5 == 4 else 0)):  # a few gaps to fill
                assign(None, shift, members[(index * needed + turn) % len(members)])


def _team(rng: random.Random, used: set[str], org: Organisation, kind: str, spec: tuple, mobiles: str) -> Team | None:
    name, region_code, founded, (leader_name, leader_mobile, username), size = spec[:5]
    if Team.objects.filter(organisation=org, name=name).exists():
        return None
    region = Region.objects.get(code=region_code)
    team = save_team(None, name=name, kind=kind, organisation=org, region=region, founded_on=founded)
    groups = FunctionalGroup.values[:-1] if kind == TeamKind.VOLUNTEER else [FunctionalGroup.MEDIATION.value]
    span = max(1, (timezone.localdate() - founded).days - 30)
    for index in range(size):
        person = leader_name if index == 0 else _new_name(rng, used, kind == TeamKind.MUTUAL_AID)
        used.add(person)
        extra = _baqiu_member(rng, index) if kind == TeamKind.MUTUAL_AID else _federation_member(rng, index, groups)
        member = save_member(
            None,
            team,
            name=person,
            mobile=(index == 0 and leader_mobile) or f"{mobiles}{index:02d}",
            village=region,
            consent=True,
            user=User.objects.get(username=username) if index == 0 and username else None,
            joined_on=founded if index == 0 else founded + timedelta(days=rng.randrange(span)),
            **extra,
        )
        if index == 0:
            set_leader(None, team, member)
    return team


def _new_name(rng: random.Random, used: set[str], baqiu: bool) -> str:
    surnames, given = (BAQIU_SURNAMES, GIVEN_BAQIU) if baqiu else (SURNAMES, GIVEN_WOMEN)
    while (name := rng.choice(surnames) + rng.choice(given)) in used:
        pass
    return name


def _baqiu_member(rng: random.Random, index: int) -> dict:
    licence = BAQIU_LICENCES[index % len(BAQIU_LICENCES)]
    e_tricycle = index == 0 or licence == "D" or rng.random() < 0.3
    skills = ["loading", "driving"] if licence or e_tricycle else ["loading"]
    return {"licence": licence, "e_tricycle_licence": e_tricycle, "skills": skills}


def _federation_member(rng: random.Random, index: int, groups: list[str]) -> dict:
    group = groups[index % len(groups)]
    skills = {"publicity": "publicity", "sanitation": "cleaning", "courtyards": "cleaning", "neighbours": "cooking"}
    own = [skills.get(group, "care"), "checkpoint"] if rng.random() < 0.6 else [skills.get(group, "care")]
    if group == FunctionalGroup.MEDIATION:
        own = ["mediation", "care"]
    return {"group": group, "skills": own + (["first_aid"] if rng.random() < 0.15 else [])}


def _vehicles(team: Team) -> None:
    members = list(team.members.order_by("pk"))
    for owner, kind, capacity, plate, note in VEHICLES[team.name]:
        drivers = [m for m in members if m.may_drive_a(kind)]
        save_offer(
            None,
            members[owner],
            kind="vehicle",
            vehicle_kind=kind,
            capacity_cartons=capacity,
            plate=plate,
            drivers=drivers[:4],
            note=note,
        )


def _offers_from_phones(team: Team) -> None:
    members, tomorrow = list(team.members.order_by("pk")), timezone.localdate() + timedelta(days=1)
    for owner, kind, days, vehicle, note in PHONE_OFFERS[team.name]:
        vehicle_kind, capacity, plate = vehicle or ("", 0, "")
        offer_from_member(
            None,
            members[owner],
            days=Days(tomorrow, tomorrow + timedelta(days=days - 1), time(6), time(12 if kind == "time" else 21)),
            kind=kind,
            vehicle_kind=vehicle_kind,
            capacity_cartons=capacity,
            plate=plate,
            note=note,
        )


def _delivery(team: Team, *, served: int) -> None:
    """The seed's day: two weeks of cartons carried from the Baqiu network point to 118 shops."""
    held_on, people = timezone.localdate() - timedelta(days=2), list(team.members.order_by("pk")[:5])
    title = "协助巴邱网点把积压两周的卷烟送到零售户店里"
    record_activity(
        None,
        team,
        kind="delivery",
        title=title,
        held_on=held_on,
        place="巴邱网点",
        participants=people,
        people_served=served,
    )


def _activities(rng: random.Random, team: Team, kinds: str) -> None:
    """About 20-30 activities over the year; handouts give out what the team has received."""
    today, members = timezone.localdate(), list(team.members.all())
    events: list[tuple[int, str, tuple[str, int, str] | None]] = [
        (days, "receive", (item, rng.randint(*span), who)) for days, item, span, who in RECEIPTS
    ]
    for _ in range(rng.randint(16, 24)):
        kind = KIND_CODES[rng.choice(kinds)]
        events.append((rng.randint(1, 60 if kind == "checkpoint" else 360), kind, None))
    events += [(rng.randint(1, 360), "handout", None) for _ in range(rng.randint(4, 7))]
    held: dict[str, int] = {}
    for days, kind, receipt in sorted(events, key=lambda e: -e[0]):
        on = today - timedelta(days=days)
        if receipt:
            item, quantity, who = receipt
            record_aid(None, team, item=item, quantity=quantity, on=on, counterparty=who)
            held[item] = held.get(item, 0) + quantity
            continue
        activity = record_activity(
            None,
            team,
            kind=kind,
            title=rng.choice(TITLES[kind]),
            held_on=on,
            participants=rng.sample(members, rng.randint(2, 5)),
            people_served=rng.randint(*SERVED.get(kind, SERVED_DEFAULT)),
        )
        if kind == "handout":
            _hand_out(rng, activity, held)


def _hand_out(rng: random.Random, activity: Activity, held: dict[str, int]) -> None:
    for item, span in HANDOUT.items():
        if quantity := min(held.get(item, 0), rng.randint(*span)):
            record_aid(
                None,
                activity.team,
                item=item,
                quantity=-quantity,
                on=activity.held_on,
                counterparty="村民",
                activity=activity,
            )
            held[item] -= quantity


def _roster(rng: random.Random, team: Team, site_name: str, needed: int, gaps: dict) -> None:
    """Ten days of three turns from three days ago: the past fully staffed and signed, a few gaps ahead."""
    site = Site.objects.get(organisation=team.organisation, name=site_name)
    today, now = timezone.localdate(), timezone.now()
    shifts = plan_roster(None, team, site, first_day=today - timedelta(days=3), days=10, needed=needed)
    members, turn = list(team.members.order_by("pk")), 0
    for index, shift in enumerate(shifts):
        for _ in range(needed - gaps.get((index // 3 - 3, index % 3), 0)):
            assignment, turn = assign(None, shift, members[turn % len(members)]), turn + 1
            if shift.starts_at <= now:
                sign_in(None, assignment, at=min(now, shift.starts_at + timedelta(minutes=rng.randint(-20, 10))))
            if shift.ends_at <= now:
                sign_out(None, assignment, at=shift.ends_at - timedelta(minutes=rng.randint(0, 15)))
    # The leader took the last turn that has ended too, and forgot to check out: it counts to the
    # shift's end, marked so on her page and the shift's.
    done = [shift for shift in shifts if shift.ends_at <= now]
    if done and not done[-1].assignments.filter(member=members[0]).exists():
        assignment = assign(None, done[-1], members[0])
        sign_in(None, assignment, at=done[-1].starts_at)


def _cases(rng: random.Random, teams: list[Team]) -> None:
    """A dozen disputes over the year: most settled and followed up, one referred, two still open."""
    today, used = timezone.localdate(), set[str]()
    opened = [*sorted(rng.sample(range(30, 360), len(CASES) - 2), reverse=True), rng.randint(6, 12), rng.randint(1, 4)]
    for number, ((kind, summary), days) in enumerate(zip(CASES, opened, strict=True)):
        team = teams[number % len(teams)]
        mediators = list(team.members.all())
        parties = [
            Party(_new_name(rng, used, rng.random() < 0.5), f"13905789{number:02d}{side}", role)
            for side, role in enumerate(["申请人", "被申请人"])
        ]
        case = open_case(
            None, team, kind=kind, summary=summary, opened_on=today - timedelta(days=days), parties=parties
        )
        sessions = _session_days(rng, case.opened_on, today)
        for day in sessions:
            record_session(
                None, case, held_on=day, mediators=rng.sample(mediators, 2), notes="分别谈话，再面对面协商。"
            )
        if number >= len(CASES) - 2:
            continue
        outcome = OUTCOMES[number % len(OUTCOMES)]
        note = "已引导当事人向司法所申请调解。" if outcome == "referred" else "双方达成一致，签订调解协议。"
        close_case(None, case, outcome=outcome, closed_on=sessions[-1], note=note)
        if case.follow_up_on and case.follow_up_on <= today and number % 4:
            follow_up(None, case, note="回访：双方按协议履行，关系已缓和。")


def _session_days(rng: random.Random, opened_on: date, today: date) -> list[date]:
    """One to three sessions a few days apart, none in the future."""
    days, day = [], opened_on
    for _ in range(rng.randint(1, 3)):
        day += timedelta(days=rng.randint(1, 6))
        days += [day] if day <= today else []
    return days or [today]
