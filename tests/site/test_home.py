"""The home page of each role: today's figures from the modules the person belongs to, each card
linking to a page they may open. Expected figures are counted from the database here, not
taken from the code under test; pages are read in English (the cards' titles as written)."""

import html
import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from fugong.accounts.models import Membership, Role, User
from fugong.core.clock import day_bounds, local_time
from fugong.delivery.models import OPEN_ORDER_STATUSES, DeliveryPlan, Order, OrderStatus, PlanVehicle, RouteStop, Shop
from fugong.delivery.services import planning
from fugong.delivery.services.orders import Line, place_order
from fugong.directory import services as directory_services
from fugong.directory.models import Organisation, Region, Site, ZoneStatus
from fugong.power.models import (
    ApplicationStatus,
    CapacityApplication,
    FieldOrder,
    Revisit,
    Ticket,
    TicketStatus,
    Window,
)
from fugong.resumption import services as resumption_services
from fugong.resumption.models import IndexFigure
from fugong.screening.models import CheckIn, Decision, Disinfection, StaffTemperature, Venue
from fugong.volunteers.models import (
    Availability,
    HelpCall,
    HelpCallStatus,
    MediationCase,
    Member,
    ShiftAssignment,
    Team,
)
from fugong.volunteers.services import calls
from tests.delivery.conftest import bureau, published, quick_plan  # noqa: F401 - a published plan for today


@dataclass
class Card:
    title: str
    figure: str
    note: str
    url: str
    tone: str
    lines: list[tuple[str, str, str, str]] = field(default_factory=list)  # label, value, url, classes


@dataclass
class Home:
    client: Client
    headings: list[str]
    cards: dict[str, Card]
    links: set[str]

    def card(self, title: str) -> Card:
        assert title in self.cards, f"{title!r} not in {sorted(self.cards)}"
        return self.cards[title]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def home(user: User) -> Home:
    """The user's home page in English, taken apart into its cards."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode().split('<main class="page">')[1].split("</main>")[0]
    headings = [_text(h) for h in re.findall(r'<h2 id="home-section-\d+">(.*?)</h2>', page)]
    cards = {}
    for tone, body in re.findall(r'<article class="card home-card ?([a-z]*)">(.*?)</article>', page, re.S):
        url = re.search(r'class="card-main" href="([^"]*)"', body)
        note = re.search(r'<div class="note">(.*?)</div>', body, re.S)
        lines = []
        for classes, item in re.findall(r'<li class="([^"]*)">(.*?)</li>', body, re.S):
            link = re.search(r'href="([^"]*)"', item)
            value = re.search(r'<span class="value">(.*?)</span>', item, re.S)
            label = item[: value.start()] if value else item
            lines.append(
                (
                    _text(label),
                    _text(value.group(1)) if value else "",
                    html.unescape(link.group(1)) if link else "",
                    classes,
                )
            )
        title = _text(re.search(r'<div class="title">(.*?)</div>', body, re.S).group(1))  # type: ignore[union-attr]
        cards[title] = Card(
            title,
            _text(re.search(r'<div class="figure">(.*?)</div>', body, re.S).group(1)),  # type: ignore[union-attr]
            _text(note.group(1)) if note else "",
            html.unescape(url.group(1)) if url else "",
            tone,
            lines,
        )
    links = {html.unescape(href) for href in re.findall(r'href="([^"]*)"', page)}
    return Home(client, headings, cards, links)


def assert_links_open(page: Home) -> None:
    """Every card and line on the page leads somewhere the user may go."""
    assert page.links
    for url in page.links:
        assert page.client.get(url).status_code == 200, url


def users() -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}


# Network-point staff --------------------------------------------------------------------


def test_network_point_staff_see_todays_routes_their_backlog_and_what_is_held(
    published: DeliveryPlan,  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    baqiu = Site.objects.get(name="巴邱网点")
    ours = RouteStop.objects.filter(route__plan=published, route__vehicle__hub=baqiu, is_reload=False)
    first_route = ours.order_by("route__number").first().route  # type: ignore[union-attr]
    done = list(ours.filter(route=first_route).order_by("position").values_list("pk", flat=True)[:3])
    RouteStop.objects.filter(pk__in=done).update(completed_at=timezone.now(), outcome="delivered")
    # Orders placed since the plan wait at the network point, held when the town closes.
    for number, shop in enumerate(Shop.objects.filter(network_point=baqiu).order_by("pk")[:3]):
        place_order(None, shop, number=f"NEW{number}", placed_on=timezone.localdate(), lines=[Line("金圣（硬红）", 5)])
    directory_services.set_zone_status(None, Region.objects.get(code="360823100"), ZoneStatus.CLOSED)
    open_orders = Order.objects.filter(shop__network_point=baqiu, status__in=OPEN_ORDER_STATUSES)

    with django_assert_max_num_queries(40):
        page = home(users()["huyao"])

    routes = page.card("Today's routes · 巴邱网点")
    assert routes.figure == f"{ours.filter(completed_at__isnull=False).count()}/{ours.count()}"
    assert routes.url == f"/delivery/plans/{published.pk}/"
    for number in ours.values_list("route__number", flat=True).distinct():
        stops = ours.filter(route__number=number)
        line = next(line for line in routes.lines if line[0].startswith(f"#{number} "))
        assert line[1] == f"{stops.filter(completed_at__isnull=False).count()}/{stops.count()}"
    backlog = page.card("Backlog · 巴邱网点")
    assert backlog.figure == str(open_orders.count())
    held = page.card("Held in closed areas · 巴邱网点")
    assert held.figure == str(open_orders.filter(status=OrderStatus.HELD).count()) != "0"
    assert held.tone == "alert"
    assert page.headings[0] == "Deliveries"  # the held orders put it first
    assert_links_open(page)


def test_network_point_staff_without_a_plan_today_are_sent_to_make_one(demo_delivery: Any) -> None:
    page = home(users()["wuziqiang"])
    routes = page.card("Today's routes · 巴邱网点")
    assert routes.figure == "0" and routes.url.startswith("/delivery/plans/?bureau=")
    assert_links_open(page)


# The bureau's administrator -------------------------------------------------------------


def test_bureau_admin_sees_backlog_by_town_plans_and_vehicles_offered(demo_delivery: Any) -> None:
    office = Organisation.objects.get(short_name="峡江县局")
    jinchuan = Region.objects.get(code="360824100")
    directory_services.set_zone_status(None, jinchuan, ZoneStatus.CLOSED)  # Jinchuan's orders are held
    tomorrow = timezone.localdate() + timedelta(days=1)
    plan = planning.create_plan(None, office, day=tomorrow, network_points=[Site.objects.get(name="巴邱网点")])
    offers = Availability.objects.filter(
        offer__member__team__organisation=office, offer__kind="vehicle", offer__state="confirmed"
    )
    lent = offers.filter(starts_at__lt=local_time(tomorrow + timedelta(days=1), time(0)))
    lent = lent.filter(ends_at__gt=local_time(tomorrow, time(0)))
    offer = lent.first()
    assert offer is not None
    PlanVehicle.objects.create(
        plan=plan,
        echelon="last_mile",
        hub=Site.objects.get(name="巴邱网点"),
        kind="van",
        capacity_cartons=100,
        label="taken",
        available_from=time(6),
        available_until=time(20),
        offer=offer.offer,
        driver_name="someone",
    )

    page = home(users()["huanghuiyun"])

    open_orders = Order.objects.filter(organisation=office, status__in=OPEN_ORDER_STATUSES)
    backlog = page.card("Backlog")
    assert backlog.figure == str(open_orders.count())
    by_town = {label: value for label, value, _url, _classes in backlog.lines}
    for town in ("巴邱镇", "金川镇"):
        assert by_town[town] == f"{open_orders.filter(shop__region__name=town).count()} orders"
    held = page.card("Held in closed areas")
    assert held.figure == str(open_orders.filter(status=OrderStatus.HELD).count())
    assert held.figure != "0" and held.tone == "alert"
    plans = page.card("Plans")
    assert plans.figure == str(DeliveryPlan.objects.filter(organisation=office, day__gte=timezone.localdate()).count())
    assert [line[0] for line in plans.lines] == [f"{tomorrow:%m-%d}"]
    vehicles = page.card("Vehicles offered")
    waiting = {
        label: {
            a.offer_id
            for a in offers.filter(starts_at__lt=local_time(day + timedelta(days=1), time(0))).filter(
                ends_at__gt=local_time(day, time(0))
            )
        }
        for label, day in (("Today", timezone.localdate()), ("Tomorrow", tomorrow))
    }
    waiting["Tomorrow"] -= set(plan.fleet.values_list("offer_id", flat=True))
    assert {line[0]: line[1] for line in vehicles.lines} == {k: f"{len(v)} vehicles" for k, v in waiting.items()}
    assert vehicles.figure == str(len(waiting["Today"] | waiting["Tomorrow"]))
    assert page.headings[0] == "Deliveries" and next(iter(page.cards)) == "Held in closed areas"
    assert_links_open(page)


# County coordinators --------------------------------------------------------------------


def test_county_coordinator_sees_zones_changes_scheduled_calls_and_held_orders(demo_screening: Any) -> None:
    from fugong.demo.delivery import load_delivery

    load_delivery()
    baqiu = Region.objects.get(code="360823100")
    directory_services.set_zone_status(None, baqiu, ZoneStatus.CLOSED)
    directory_services.set_zone_status(None, baqiu, ZoneStatus.OPEN, effective_at=timezone.now() + timedelta(days=1))

    page = home(users()["xiajiang"])

    zones = page.card("Regions under lockdown")
    restricted = Region.objects.filter(code__startswith="360823").exclude(zone_status=ZoneStatus.OPEN)
    assert zones.figure == str(restricted.count())
    assert zones.tone == "alert"
    assert {line[0] for line in zones.lines} == set(restricted.values_list("name", flat=True))
    scheduled = page.card("Lockdown changes scheduled")
    # the demo's own change due (巴邱镇 opens tomorrow at 08:00) and the one just scheduled
    assert scheduled.figure == "2" and all(line[0].startswith("巴邱镇") for line in scheduled.lines)
    open_calls = HelpCall.objects.filter(
        status=HelpCallStatus.OPEN, ends_at__gt=timezone.now(), teams__region__code__startswith="360823"
    ).distinct()
    calls_card = page.card("Open calls for help")
    assert calls_card.figure == str(open_calls.count()) != "0"
    call = open_calls.first()
    assert call is not None
    confirmed = call.answers.filter(status="confirmed").count()
    assert (f"{timezone.localtime(call.starts_at):%m-%d %H:%M} {call.title}", f"{confirmed}/{call.needed}") in [
        line[:2] for line in calls_card.lines
    ]
    held = page.card("Held in closed areas")
    assert held.figure == str(Order.objects.filter(status=OrderStatus.HELD, shop__region=baqiu).count()) != "0"
    assert_links_open(page)


# The power company ----------------------------------------------------------------------


def test_service_hall_staff_see_the_queue_overdue_logs_and_referrals(demo_power: Any) -> None:
    site = Site.objects.get(name="客户服务中心营业厅")
    venue = Venue.objects.get(site=site)
    # One slot a day at midnight, overdue five minutes later: whoever has not logged today is.
    Venue.objects.filter(pk=venue.pk).update(staff_check_times=["00:00"], disinfection_times=["00:00"], grace_minutes=5)
    start, end = day_bounds(timezone.localdate())
    StaffTemperature.objects.filter(venue=venue, taken_at__gte=start).delete()
    Disinfection.objects.filter(venue=venue, done_at__gte=start).delete()

    page = home(users()["hufenfen"])

    staff = Membership.objects.filter(site=site, role=Role.SITE_STAFF, user__is_active=True).values("user").distinct()
    overdue = page.card("Hygiene logs overdue · 客户服务中心营业厅")
    late = timezone.now() >= local_time(timezone.localdate(), time(0, 5))
    assert overdue.figure == str(staff.count() + 1 if late else 0)
    assert overdue.tone == ("alert" if late else "")
    waiting_at_door = CheckIn.objects.filter(
        venue=venue, decision=Decision.REFER, resolved_at__isnull=True, at__gte=start, at__lt=end
    )
    assert page.card("Referrals waiting · 客户服务中心营业厅").figure == str(waiting_at_door.count())
    tickets = Ticket.objects.filter(site=site, day=timezone.localdate())
    queue = page.card("Queue now · 客户服务中心营业厅")
    assert queue.figure == str(tickets.filter(status=TicketStatus.WAITING).count())
    windows = {label: value for label, value, _url, _classes in queue.lines}
    for window in Window.objects.filter(site=site):
        called = tickets.filter(window=window, status=TicketStatus.CALLED).first()
        assert windows[f"Window {window.number}"].startswith(
            called.code if called else ("free" if window.is_open else "closed")
        )
    assert_links_open(page)


def test_power_admin_sees_applications_to_decide_and_restorations_open(demo_power: Any) -> None:
    company = Organisation.objects.get(short_name="国网庆元县供电公司")
    page = home(users()["qy_power"])
    applied = CapacityApplication.objects.filter(account__organisation=company, status=ApplicationStatus.APPLIED)
    assert page.card("Applications to decide").figure == str(applied.count())
    restorations = FieldOrder.objects.filter(
        application__account__organisation=company,
        done_at__isnull=True,
        application__status=ApplicationStatus.RESTORATION_REQUESTED,
    )
    assert page.card("Restorations open").figure == str(restorations.count())
    assert_links_open(page)


def test_coordinator_over_a_power_company_sees_revisits_overdue(demo_power: Any) -> None:
    page = home(users()["qingyuan"])
    overdue = Revisit.objects.filter(
        resident__organisation__short_name="国网庆元县供电公司", done_at__isnull=True, due_on__lt=timezone.localdate()
    )
    card = page.card("Revisits overdue")
    assert card.figure == str(overdue.count()) != "0" and card.tone == "alert"
    assert_links_open(page)


# The city office and the index ----------------------------------------------------------


def test_city_office_sees_the_latest_day_and_counties_by_rank(demo: Any, settings: Any, tmp_path: Any) -> None:
    settings.RESUMPTION_STORE = tmp_path
    lishui = Region.objects.get(code="331100")
    setup = resumption_services.save_setup(
        None, lishui, baseline_start=date(2019, 12, 1), baseline_end=date(2019, 12, 31)
    )
    counties = {"331102": (4200, 4120, 98.0), "331126": (3333, 3234, 96.34), "331127": (1100, 1044, 94.35)}
    for day, shift in ((date(2020, 3, 3), -1.0), (date(2020, 3, 4), 0.0)):
        for rank, (county, (accounts, resumed, index)) in enumerate(counties.items(), start=1):
            IndexFigure.objects.create(
                setup=setup,
                day=day,
                county=county,
                accounts=accounts,
                excluded=0,
                resumed=resumed,
                account_ratio=100 * resumed / accounts,
                consumption_ratio=index,
                index=index + shift,
                rank=rank,
            )

    page = home(users()["lishui"])

    latest = IndexFigure.objects.filter(setup=setup, day=date(2020, 3, 4), industry="").order_by("rank")
    city = page.card("Resumed accounts (%) · 丽水市")
    share = 100 * sum(f.resumed for f in latest) / sum(f.accounts for f in latest)
    assert city.figure == f"{share:.2f}"
    names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
    assert [line[:2] for line in city.lines] == [(f"{f.rank}. {names[f.county]}", f"{f.index:.2f}") for f in latest]
    assert_links_open(page)

    county = home(users()["qingyuan"]).card("Resumption index · 庆元县")
    assert county.figure == "96.34" and "rank 2 of 3" in county.note
    assert [line[0] for line in county.lines if "own" in line[3]] == ["2. 庆元县"]


# Volunteers and the women's federation --------------------------------------------------


def test_volunteer_sees_the_calls_sent_to_them_and_their_answer(demo_screening: Any) -> None:
    laoyan = users()["laoyan"]
    member = Member.objects.get(user=laoyan)
    page = home(laoyan)
    mine = HelpCall.objects.filter(teams=member.team, ends_at__gt=timezone.now()).exclude(status="cancelled")
    card = page.card("My calls for help")
    assert card.figure == str(mine.count()) != "0"
    confirmed = mine.filter(answers__member=member, answers__status="confirmed").count()
    assert card.note.startswith(f"{confirmed} confirmed")
    assert all(line[2].startswith("/volunteers/answer/") for line in card.lines)
    # A mutual-aid group keeps no shifts: the next duty is the call he is confirmed for.
    call = mine.filter(answers__member=member, answers__status="confirmed").order_by("starts_at").first()
    assert call is not None
    duty = page.card("My next duty")
    starts = timezone.localtime(call.starts_at)
    assert duty.figure in (f"{starts:%H:%M}", f"{starts:%m-%d %H:%M}") and call.title in duty.note
    # Once it has begun, the card says it is under way and until when, not just a time gone by.
    with time_machine.travel(call.starts_at + (call.ends_at - call.starts_at) / 2):
        under_way = home(laoyan).card("My next duty")
    assert f"under way until {timezone.localtime(call.ends_at):%H:%M}" in under_way.note
    assert "/volunteers/me/" in page.links
    assert_links_open(page)


def test_federation_member_and_administrator(demo_volunteers: Any) -> None:
    federation = Organisation.objects.get(short_name="县妇联")
    yezeyun = users()["yezeyun"]
    member = Member.objects.get(user=yezeyun)
    now = timezone.now()
    call = calls.open_call(
        None,
        federation,
        title="西演村卡口补位",
        needed=2,
        starts_at=now + timedelta(hours=3),
        ends_at=now + timedelta(hours=6),
        place="西演村入口",
        teams=[member.team],
    )

    page = home(yezeyun)
    mine = page.card("My calls for help")
    assert (f"{timezone.localtime(call.starts_at):%m-%d %H:%M} {call.title}", "Not answered") in [
        line[:2] for line in mine.lines
    ]
    assert mine.tone == "warn"
    coming = (
        ShiftAssignment.objects.filter(member=member, shift__ends_at__gt=now, signed_out_at__isnull=True)
        .order_by("shift__starts_at")
        .first()
    )
    assert coming is not None
    starts = timezone.localtime(coming.shift.starts_at)
    shift = page.card("My next duty")
    assert shift.figure in (f"{starts:%H:%M}", f"{starts:%m-%d %H:%M}")
    assert coming.shift.site.name in shift.note
    assert_links_open(page)

    page = home(users()["wuyuanzi"])
    teams = Team.objects.filter(organisation=federation, is_active=True)
    members = Member.objects.filter(team__in=teams, left_on__isnull=True)
    card = page.card("Teams")
    assert card.figure == str(teams.count()) and card.note == f"{members.count()} members"
    assert page.card("Open calls for help").figure == "1"
    today = timezone.localdate()
    cases = MediationCase.objects.filter(team__organisation=federation, followed_up_at__isnull=True)
    due = page.card("Mediation follow-ups due")
    assert due.figure == str(cases.filter(follow_up_on__lte=today).count())
    assert due.note.startswith(f"{cases.filter(follow_up_on__lt=today).count()} overdue")
    assert_links_open(page)


# The platform's administrator -----------------------------------------------------------


def test_platform_admin_sees_each_module_at_a_glance(demo_delivery: Any) -> None:
    page = home(users()["admin"])
    assert {"Deliveries", "Power service", "Regions", "Volunteers", "Users"} <= set(page.headings)
    assert page.card("People").figure == str(User.objects.filter(is_active=True).count())
    assert page.card("Backlog").figure == str(Order.objects.filter(status__in=OPEN_ORDER_STATUSES).count())
    assert page.card("Power accounts").figure == "0"
    assert_links_open(page)
    client = Client()  # Chinese: the people card counts sign-in accounts, not households (户) cut off
    client.force_login(users()["admin"])
    assert "0 个账号已停用" in client.get("/").content.decode()


def test_someone_without_a_role_is_told_whom_to_ask(db: Any) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(User.objects.create_user(username="nobody", password="x" * 12))
    assert "No role yet: ask your administrator." in page.get("/").content.decode()


def test_cards_and_sections_put_the_most_urgent_first() -> None:
    from fugong.core.dashboard import Card as HomeCard
    from fugong.core.dashboard import Section, by_urgency

    calm, warn, alert = HomeCard("a", "1"), HomeCard("b", "2", tone="warn"), HomeCard("c", "3", tone="alert")
    assert by_urgency([calm, warn, alert]) == [alert, warn, calm]
    sections = [Section("x", [calm]), Section("y", [warn, calm]), Section("z", [calm, alert])]
    assert [s.heading for s in by_urgency(sections)] == ["z", "y", "x"]


def test_the_city_office_is_named_a_city_coordinator(demo: Any) -> None:
    """lishui coordinates the whole city; "county coordinator · 丽水市" told its staff the wrong job."""
    client = Client()
    client.force_login(User.objects.get(username="lishui"))
    page = client.get("/").content.decode()
    assert "市级协调员 · 丽水市" in page and "县级协调员" not in page
    client.force_login(User.objects.get(username="qingyuan"))
    assert "县级协调员 · 庆元县" in client.get("/").content.decode()
