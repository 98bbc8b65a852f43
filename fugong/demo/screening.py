"""The seeds' doors: the Baqiu network point (三查一戴 for helpers and drivers) and the Qingyuan
service hall (一测温二登记三受理, 11 staff taking their temperature twice a day, the hall
disinfected twice a day), each with a month of check-ins and logs; the county's general rules;
and today's call for helpers at the network point, some of whom have been checked in."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from fugong.accounts.models import Membership, Role, User
from fugong.core.clock import local_time
from fugong.directory.models import Organisation, Region, Site
from fugong.notify.models import Channel as MessageChannel
from fugong.screening import queries, rules
from fugong.screening.models import (
    AdmissionPolicy,
    Channel,
    CheckIn,
    CheckKind,
    DailyCount,
    Decision,
    Disinfection,
    FeverAction,
    StaffTemperature,
    Venue,
)
from fugong.screening.retention import count_days
from fugong.screening.services import checkins, logs, policies, venues
from fugong.screening.services.policies import CheckSpec
from fugong.volunteers.models import HelpCall, Team
from fugong.volunteers.services import calls

from .world import demo_user

KEPT_DAYS = 27  # records for this many days before today; older days are counts only (purged)
COUNTED_DAYS = 60

HALL_STAFF = ["吴丽君", "周建华", "叶晓燕", "胡志明", "季雪芳", "陈文斌", "姚佳慧", "刘伟", "练美玲", "沈国庆"]
SURNAMES = "吴叶胡周季陈姚刘练沈张王李毛范"
GIVEN = ["建平", "海英", "志刚", "秀芳", "小军", "丽华", "国强", "美娟", "伟民", "桂兰", "金水", "晓东"]


def load_screening(*, days: int = KEPT_DAYS) -> None:
    """`days`: how many days before today have check-in records (tests need only a few)."""
    rng = random.Random(2022)  # noqa: S311 - variety for demo data, not security
    county = Region.objects.get(code="331126")
    if not AdmissionPolicy.objects.filter(region=county).exists():
        policies.create_policy(
            None,
            region=county,
            name="庆元县复工场所通用规则",
            effective_from=_days_ago(60, time(0)),
            checks=[
                CheckSpec(CheckKind.TEMPERATURE, Decimal("37.3")),
                CheckSpec(CheckKind.HEALTH_CODE),
                CheckSpec(CheckKind.MASK, on_fail=Decision.REFER),
            ],
            note="县疫情防控指挥部 2 月通知",
        )
    hall = _venue("国网庆元县供电公司", "客户服务中心营业厅", ["08:00", "14:00"], ["08:00", "14:00"])
    baqiu = _venue("峡江县局", "巴邱网点", ["06:30", "13:00"], ["06:30", "12:30"])
    if not AdmissionPolicy.objects.filter(site=hall.site).exists():
        policies.create_policy(
            None,
            site=hall.site,
            name="一测温二登记三受理",
            effective_from=_days_ago(45, time(0)),
            checks=[
                CheckSpec(CheckKind.TEMPERATURE, Decimal("37.3")),
                CheckSpec(CheckKind.HEALTH_CODE),
                CheckSpec(CheckKind.RISK_AREA, 14),
                CheckSpec(CheckKind.MASK, on_fail=Decision.REFER),
            ],
            note="测温、亮码、登记后方可办理业务",
        )
    if not AdmissionPolicy.objects.filter(site=baqiu.site).exists():
        first = [*policies.THREE_CHECKS_ONE_MASK]
        first[2] = CheckSpec(CheckKind.TEST_RESULT, 48)
        policies.create_policy(
            None, site=baqiu.site, name="三查一戴", effective_from=_days_ago(40, time(0)), checks=first
        )
        later = [*policies.THREE_CHECKS_ONE_MASK]
        later[2] = CheckSpec(CheckKind.TEST_RESULT, 72)
        policies.create_policy(
            None,
            site=baqiu.site,
            name="三查一戴（核酸放宽至72小时）",
            effective_from=_days_ago(10, time(0)),
            checks=later,
            note="县指挥部通知：核酸检测结果有效期调整为72小时",
        )
    _hall_staff(hall.site)
    for venue, per_day, hours in ((hall, (220, 380), (8, 17)), (baqiu, (25, 45), (6, 20))):
        _month(rng, venue, per_day, hours, days)
        _logs(rng, venue, days)
    _helpers_today(rng, baqiu)
    _waiting_at_the_hall(hall)
    count_days()


def _days_ago(days: int, at: time) -> datetime:
    return local_time(timezone.localdate() - timedelta(days=days), at)


def _venue(org_name: str, site_name: str, staff_times: list[str], rounds: list[str]) -> Venue:
    site = Site.objects.get(organisation__short_name=org_name, name=site_name)
    existing = Venue.objects.filter(site=site).first()
    return existing or venues.open_venue(None, site, staff_check_times=staff_times, disinfection_times=rounds)


def _hall_staff(site: Site) -> None:
    """The hall's 11: 胡芬芬 (a demo login) and ten colleagues."""
    for number, name in enumerate(HALL_STAFF, start=1):
        staff = Membership(role=Role.SITE_STAFF, organisation=site.organisation, site=site)  # one row each
        demo_user(f"qyhall{number:02d}", name, f"139057810{number:02d}", staff)


# Prefixes of mainland mobile networks, so a made-up visitor's number is one a form would take.
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "186", "187", "188")


def _person(rng: random.Random) -> dict[str, str]:
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "mobile": f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
    }


def _elderly_id(rng: random.Random, birth: date) -> str:
    body = f"331126{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body)


def _answers(rng: random.Random, checks: list[Any]) -> dict[str, Any]:
    """Mostly green; now and then a fever, a yellow code, no mask, an old test."""
    roll = rng.random()
    answers: dict[str, Any] = {}
    for check in checks:
        kind = check.kind
        if kind == CheckKind.TEMPERATURE:
            answers[kind] = "37.6" if roll < 0.012 else f"{rng.uniform(36.0, 37.0):.1f}"
        elif kind == CheckKind.HEALTH_CODE:
            answers[kind] = "yellow" if 0.012 <= roll < 0.03 else "red" if 0.03 <= roll < 0.032 else "green"
        elif kind == CheckKind.RISK_AREA:
            answers[kind] = "yes" if 0.032 <= roll < 0.036 else "no"
        elif kind == CheckKind.TEST_RESULT:
            answers[kind] = "none" if 0.036 <= roll < 0.06 else "negative"
        elif kind == CheckKind.MASK:
            answers[kind] = "no" if 0.06 <= roll < 0.07 else "yes"
        else:
            answers[kind] = 3
    return answers


def _checkin(
    rng: random.Random, venue: Venue, at: datetime, staff: list[User], person: dict[str, str], policy: AdmissionPolicy
) -> CheckIn:
    checks = list(policy.checks.all())
    evaluation = rules.evaluate(checks, _answers(rng, checks))
    on_phone = rng.random() < 0.7
    record = CheckIn(
        venue=venue,
        policy=policy,
        at=at,
        channel=Channel.PHONE if on_phone else Channel.CONSOLE,
        checked_by=None if on_phone or not staff else rng.choice(staff),
        results=evaluation.results,
        temperature=evaluation.temperature,
        decision=evaluation.decision,
        final_decision=evaluation.decision,
        **person,
    )
    if record.decision == Decision.REFER and staff and at < timezone.now() - timedelta(minutes=20):
        record.final_decision = Decision.ADMIT if rng.random() < 0.8 else Decision.REFUSE
        record.resolved_by = rng.choice(staff)
        record.resolved_at = at + timedelta(minutes=rng.randint(1, 6))
    return record


def _month(rng: random.Random, venue: Venue, per_day: tuple[int, int], hours: tuple[int, int], days: int) -> None:
    """A month of check-ins (today's up to now); older days as the counts purging leaves."""
    if venue.checkins.exists():
        return
    staff = list(User.objects.filter(memberships__site=venue.site).distinct())
    today = timezone.localdate()
    now = timezone.now()
    records: list[CheckIn] = []
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        total = rng.randint(*per_day) // (2 if weekend else 1)
        # Versions start at midnight in the demo: one policy per day.
        policy = policies.in_force(venue.site, local_time(day, time(12)))
        assert policy is not None
        for _ in range(total):
            at = local_time(day, time(hours[0])) + timedelta(seconds=rng.randrange((hours[1] - hours[0]) * 3600))
            if at > now:
                continue
            if rng.random() < 0.03:  # an elderly person without a phone, registered by a relative
                birth = date(rng.randint(1935, 1955), rng.randint(1, 12), rng.randint(1, 28))
                companion = _person(rng)
                person = {
                    "name": rng.choice(SURNAMES) + rng.choice(["阿婆", "大爷", "奶奶"]),
                    "id_number": _elderly_id(rng, birth),
                    "companion_name": companion["name"],
                    "companion_mobile": companion["mobile"],
                }
            else:
                person = _person(rng)
            records.append(_checkin(rng, venue, at, staff, person, policy))
    CheckIn.objects.bulk_create(records, batch_size=1000)
    counts = []
    for back in range(days + 1, COUNTED_DAYS + 1):
        day = today - timedelta(days=back)
        total = rng.randint(*per_day) // (2 if day.weekday() >= 5 else 1)
        refused, referred = round(total * 0.012), round(total * 0.004)
        for decision, n in (
            (Decision.ADMIT, total - refused - referred),
            (Decision.REFUSE, refused),
            (Decision.REFER, referred),
        ):
            counts.append(DailyCount(venue=venue, day=day, decision=decision, count=n))
    DailyCount.objects.bulk_create(counts)


def _logs(rng: random.Random, venue: Venue, days: int) -> None:
    """Two temperatures a day per staff member and two disinfection rounds, one of each missed
    today at the hall so its dashboard shows what is overdue."""
    if venue.staff_temperatures.exists():
        return
    staff = list(User.objects.filter(memberships__site=venue.site, memberships__role=Role.SITE_STAFF).distinct())
    today, now = timezone.localdate(), timezone.now()
    readings, rounds = [], []
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        for index, slot in enumerate(venues.slot_times(venue.staff_check_times)):
            for person in staff:
                at = local_time(day, slot) - timedelta(minutes=rng.randint(0, 25))
                missed = back == 0 and person == staff[-1] and index == 0
                if at <= now and not missed:
                    readings.append(
                        StaffTemperature(
                            venue=venue,
                            staff=person,
                            taken_at=at,
                            temperature=Decimal(f"{rng.uniform(36.1, 36.9):.1f}"),
                        )
                    )
        for slot in venues.slot_times(venue.disinfection_times):
            at = local_time(day, slot) + timedelta(minutes=rng.randint(0, 20))
            if at <= now:
                rounds.append(
                    Disinfection(
                        venue=venue,
                        done_at=at,
                        areas="营业大厅、窗口台面、叫号机、门把手"
                        if venue.site.kind == "service_hall"
                        else "分拣区、装卸平台、车辆把手",
                        disinfectant="含氯消毒液 500mg/L",
                        done_by=rng.choice(staff).get_full_name() if staff else "保洁员",
                    )
                )
    _a_fever(venue, readings)
    StaffTemperature.objects.bulk_create(readings, batch_size=1000)
    Disinfection.objects.bulk_create(rounds, batch_size=1000)


def _waiting_at_the_hall(hall: Venue) -> None:
    """A visitor who showed a yellow code and left the temperature blank on her phone a few
    minutes ago: the console shows why she waits and asks for her temperature before admitting."""
    if queries.open_referrals(hall).filter(name="范秀芳").exists():
        return
    answers: dict[str, Any] = {CheckKind.HEALTH_CODE: "yellow", CheckKind.RISK_AREA: "no", CheckKind.MASK: "yes"}
    checkins.check_in(
        None,
        hall,
        checkins.Visitor("范秀芳", mobile="+8613905786655"),
        answers | {CheckKind.TEMPERATURE: ""},
        channel=Channel.PHONE,
        at=max(timezone.now() - timedelta(minutes=3), local_time(timezone.localdate(), time(0, 1))),
    )


FEVER_STAFF = "周建华"


def _a_fever(venue: Venue, readings: list[StaffTemperature]) -> None:
    """At the hall, one colleague's latest reading is a fever nobody has acted on yet, so the
    hygiene log, the site and the home pages show the alert; one a week ago was sent home."""
    bar = logs.fever_threshold(venue)
    theirs = sorted((r for r in readings if r.staff.get_full_name() == FEVER_STAFF), key=lambda r: r.taken_at)
    if not theirs:
        return
    latest, earlier = theirs[-1], theirs[max(0, len(theirs) - 14)]
    for reading, temperature in ((latest, Decimal("37.8")), (earlier, Decimal("37.5"))):
        reading.temperature, reading.fever = temperature, temperature >= bar
    if earlier is not latest:
        earlier.action, earlier.action_at = FeverAction.SENT_HOME, earlier.taken_at + timedelta(minutes=10)


def _helpers_today(rng: random.Random, baqiu: Venue) -> None:
    """Today's call for helpers to sort and load at the network point; three of the five
    confirmed have been checked in there (one referred: a yellow code), two not yet."""
    bureau = Organisation.objects.get(short_name="峡江县局")
    today = timezone.localdate()
    start = local_time(today, time(5, 30))
    if HelpCall.objects.filter(organisation=bureau, site=baqiu.site, starts_at=start).exists():
        return
    team = Team.objects.filter(organisation=bureau, is_active=True).order_by("pk").first()
    if team is None:
        return
    members = list(team.members.filter(left_on__isnull=True).exclude(mobile="").order_by("pk")[:6])
    coordinator = User.objects.get(username="xiajiang")
    call = calls.open_call(
        None,
        bureau,
        title="协助巴邱网点分拣、装车",
        needed=6,
        starts_at=start,
        # The work runs into the evening (seed 000: by hand until after 20:00); a demo loaded
        # late at night still finds it going, so the helpers can answer it.
        ends_at=max(start + timedelta(hours=15), timezone.now() + timedelta(hours=1)),
        place="",
        site=baqiu.site,
        teams=[team],
        details="进场前请扫网点场所码，出示行程码和核酸结果，全程佩戴口罩。",
    )
    # The county coordinator asks the team through the county's channel; five can come, one
    # cannot; those who have not answered get a reminder; the thread shows it all.
    county_channel = MessageChannel.objects.get(region__code=bureau.region.code[:6], templates__kind=calls.MESSAGE_KIND)
    calls.send_call(coordinator, call, county_channel)
    unable = members.pop() if len(members) > 5 else None
    for member in members:
        calls.answer_call(call, member, yes=True)
    if unable is not None:
        calls.answer_call(call, unable, yes=False)
    calls.confirm(coordinator, call, members)
    calls.send_call(coordinator, call, county_channel, remind=True)
    calls.add_note(coordinator, call, "已电话联系网点胡垚：还差一人，巴邱组其余成员明早 5 点前答复即可。")
    for index, member in enumerate(members[:3]):
        answers: dict[str, Any] = {CheckKind.HEALTH_CODE: "green", CheckKind.RISK_AREA: "no", CheckKind.MASK: "yes"}
        answers |= {CheckKind.TEST_RESULT: "negative", CheckKind.TEMPERATURE: "36.4", CheckKind.VACCINATION: 3}
        if index == 2:
            answers[CheckKind.HEALTH_CODE] = "yellow"
        checkins.check_in(
            None,
            baqiu,
            checkins.Visitor(member.name, mobile=member.mobile),
            answers,
            channel=Channel.PHONE,
            at=min(timezone.now(), start + timedelta(minutes=10 + 3 * index)),
        )
