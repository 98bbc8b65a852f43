"""Read-side functions the pages and the API share, scoped to what the user may read."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fugong.accounts.models import Membership, Role, User
from fugong.core.clock import day_bounds
from fugong.core.pinyin import normalise_query
from fugong.directory.models import Organisation, Site
from fugong.screening.models import FeverAction, StaffTemperature
from fugong.volunteers.models import Member

from .access import q_readable
from .models import (
    AccountKind,
    ApplicationStatus,
    BusinessKind,
    CapacityApplication,
    FieldOrder,
    PowerAccount,
    PriorityCall,
    Resident,
    Revisit,
    Ticket,
    TicketStatus,
    Urgency,
    Window,
)


def visible_accounts(user: Any) -> QuerySet[PowerAccount]:
    return PowerAccount.objects.filter(q_readable(user, "organisation__")).select_related("region", "organisation")


def search_accounts(qs: QuerySet[PowerAccount], query: str) -> QuerySet[PowerAccount]:
    query = normalise_query(query)
    return qs.filter(Q(number__startswith=query) | Q(search_key__contains=query)) if query else qs


def visible_applications(user: Any) -> QuerySet[CapacityApplication]:
    return CapacityApplication.objects.filter(q_readable(user, "account__organisation__")).select_related(
        "account__organisation", "account__region"
    )


def account_counts(organisation_id: int) -> dict[str, int]:
    rows = PowerAccount.objects.filter(organisation_id=organisation_id, is_active=True).aggregate(
        total=Count("pk"),
        enterprises=Count("pk", filter=Q(kind=AccountKind.ENTERPRISE)),
        high_voltage=Count("pk", filter=Q(voltage="high")),
    )
    return {k: v or 0 for k, v in rows.items()}


def application_counts(organisation_id: int) -> dict[str, int]:
    rows = (
        CapacityApplication.objects.filter(account__organisation_id=organisation_id)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def hall_sites(user: Any) -> QuerySet[Site]:
    return Site.objects.filter(
        q_readable(user, "organisation__"),
        kind=Site.Kind.SERVICE_HALL,
        organisation__kind="power_supply",
        is_active=True,
    ).select_related("organisation")


@dataclass
class WindowState:
    window: Window
    current: Ticket | None


@dataclass
class HallState:
    windows: list[WindowState]
    waiting: dict[str, int]  # by business kind
    recent: list[Ticket]  # the latest calls, newest first (the hall screen)
    waiting_total: int = 0
    served_today: int = 0


def hall_state(site: Site, day: date | None = None) -> HallState:
    day = day or timezone.localdate()
    tickets = Ticket.objects.filter(site=site, day=day)
    windows = list(Window.objects.filter(site=site).order_by("number"))
    called = {t.window_id: t for t in tickets.filter(status=TicketStatus.CALLED).select_related("window")}
    waiting = dict.fromkeys(BusinessKind.values, 0)
    for row in tickets.filter(status=TicketStatus.WAITING).values("kind").annotate(n=Count("pk")).order_by():
        waiting[row["kind"]] = row["n"]
    recent = list(
        tickets.filter(announced_at__isnull=False).select_related("window").order_by("-announced_at", "-pk")[:6]
    )
    return HallState(
        windows=[WindowState(w, called.get(w.pk)) for w in windows],
        waiting=waiting,
        recent=recent,
        waiting_total=sum(waiting.values()),
        served_today=tickets.filter(status=TicketStatus.SERVED).count(),
    )


@dataclass
class KindFigures:
    kind: str
    label: str
    taken: int = 0
    served: int = 0
    no_show: int = 0
    waits: list[float] = field(default_factory=list)  # minutes
    services: list[float] = field(default_factory=list)

    @property
    def mean_wait(self) -> float | None:
        return round(mean(self.waits), 1) if self.waits else None

    @property
    def mean_service(self) -> float | None:
        return round(mean(self.services), 1) if self.services else None


def day_figures(site: Site, day: date) -> dict[str, Any]:
    """A day at the hall: numbers taken, served, gone; mean waiting and service minutes by
    business and by window. A day has a few hundred tickets: counted in Python."""
    by_kind = {k: KindFigures(k, str(label)) for k, label in BusinessKind.choices}
    by_window: dict[int, int] = {}
    total = KindFigures("", "")
    tickets = Ticket.objects.filter(site=site, day=day).select_related("window")
    for ticket in tickets:
        for figures in (by_kind[ticket.kind], total):
            figures.taken += 1
            if ticket.called_at:
                figures.waits.append((ticket.called_at - ticket.taken_at).total_seconds() / 60)
            if ticket.status == TicketStatus.SERVED and ticket.finished_at and ticket.called_at:
                figures.served += 1
                figures.services.append((ticket.finished_at - ticket.called_at).total_seconds() / 60)
            elif ticket.status == TicketStatus.NO_SHOW:
                figures.no_show += 1
        if ticket.status == TicketStatus.SERVED and ticket.window:
            by_window[ticket.window.number] = by_window.get(ticket.window.number, 0) + 1
    return {"day": day, "kinds": list(by_kind.values()), "total": total, "windows": sorted(by_window.items())}


def week_figures(site: Site, last_day: date, days: int = 7) -> list[dict[str, Any]]:
    return [day_figures(site, last_day - timedelta(days=n)) for n in range(days)]


def visible_residents(user: Any) -> QuerySet[Resident]:
    return Resident.objects.filter(q_readable(user, "organisation__")).select_related("region", "organisation")


def open_calls(user: Any) -> QuerySet[PriorityCall]:
    """Calls nobody has visited yet: urgent first, then the oldest."""
    return (
        PriorityCall.objects.filter(q_readable(user, "resident__organisation__"))
        .exclude(status="visited")
        .select_related("resident__region", "assigned_user", "assigned_member")
        .order_by("-urgency", "received_at")  # "urgent" sorts after "normal": descending puts it first
    )


def open_revisits(user: Any) -> QuerySet[Revisit]:
    return (
        Revisit.objects.filter(q_readable(user, "resident__organisation__"), done_at__isnull=True)
        .select_related("resident__region", "call")
        .order_by("due_on", "pk")
    )


def company_staff(company: Any) -> QuerySet[User]:
    """The company's people (field workers, staff who go on home visits), by name."""
    return User.objects.filter(memberships__organisation=company, is_active=True).distinct().order_by("full_name")


def station_crew(company: Any, station: str) -> QuerySet[User]:
    """The field crew of a supply station: the company's staff at its site of that name (a
    site of kind supply station). Empty while the station is not on the platform."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=company,
            memberships__role=Role.SITE_STAFF,
            memberships__site__kind=Site.Kind.SUPPLY_STATION,
            memberships__site__name=station,
            memberships__site__is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


def dispatchable(company: Any, station: str) -> tuple[QuerySet[User], bool]:
    """Whom a restoration can be sent to: the station's crew; when the station has none on the
    platform, anyone of the company (and False, so the page can say so)."""
    crew = station_crew(company, station)
    return (crew, True) if crew.exists() else (company_staff(company), False)


def open_field_orders(companies: list[Organisation], worker: Any = None) -> QuerySet[FieldOrder]:
    """Restorations and repairs still to do in these companies, soonest first; only a
    worker's, if given."""
    orders = FieldOrder.objects.filter(
        Q(
            application__account__organisation__in=companies,
            application__status=ApplicationStatus.RESTORATION_REQUESTED,
        )
        | Q(call__resident__organisation__in=companies),
        done_at__isnull=True,
    ).select_related(
        "application__account__region", "application__account__organisation", "call__resident__region", "assignee"
    )
    if worker is not None:
        orders = orders.filter(assignee=worker)
    return orders.order_by("due_on", "created_at", "pk")


def priority_counts(user: Any, company: Organisation, day: date) -> dict[str, int]:
    """The company's priority line on a day: calls nobody has visited yet (urgent ones), and
    revisits due by then and overdue (due before it)."""
    calls = (
        open_calls(user)
        .filter(resident__organisation=company)
        .aggregate(waiting=Count("pk"), urgent=Count("pk", filter=Q(urgency=Urgency.URGENT)))
    )
    revisits = (
        open_revisits(user)
        .filter(resident__organisation=company)
        .aggregate(due=Count("pk", filter=Q(due_on__lte=day)), overdue=Count("pk", filter=Q(due_on__lt=day)))
    )
    return {**calls, **revisits}


def field_order_counts(companies: list[Organisation], day: date) -> dict[str, int]:
    """Restorations still to do in these companies, and those past their day."""
    return open_field_orders(companies).aggregate(open=Count("pk"), late=Count("pk", filter=Q(due_on__lt=day)))


# How near a helper is to a resident: the resident's village, their town, elsewhere in the county.
SAME_VILLAGE, SAME_TOWN, ELSEWHERE = 0, 1, 2
TOWN_CODE_LENGTH = 9  # GB/T 2260 and its town extension: county 6 digits, town 9, village 12


@dataclass
class Helper:
    """Someone who can go to a resident: a staff member (key "user:<id>") or a volunteer
    ("member:<id>"), with where they are based and how busy they are."""

    key: str
    name: str
    where: str
    nearness: int
    is_staff: bool
    on_duty: bool = False  # staff whose latest temperature at work today is normal
    open_today: int = 0  # priority calls they are sent to and not yet visited, restorations due


def _nearness(resident_code: str, place_code: str | None) -> int:
    if not place_code:
        return ELSEWHERE
    if place_code == resident_code and len(resident_code) > TOWN_CODE_LENGTH:
        return SAME_VILLAGE
    if place_code[:TOWN_CODE_LENGTH] == resident_code[:TOWN_CODE_LENGTH]:
        return SAME_TOWN
    return ELSEWHERE


def _staff_on_duty(user_ids: list[int], start: datetime) -> tuple[set[int], set[int]]:
    """(on duty, unwell) since `start` by the staff temperature log: on duty if their latest
    reading is normal; unwell if it is a fever or they were sent home with one."""
    latest: dict[int, StaffTemperature] = {}
    sent_home: set[int] = set()
    readings = StaffTemperature.objects.filter(staff_id__in=user_ids, taken_at__gte=start).order_by("taken_at", "pk")
    for reading in readings.only("staff_id", "fever", "action"):
        latest[reading.staff_id] = reading
        if reading.action == FeverAction.SENT_HOME:
            sent_home.add(reading.staff_id)
    unwell = sent_home | {staff for staff, reading in latest.items() if reading.fever}
    return set(latest) - unwell, unwell


def helpers_for(call: PriorityCall) -> list[Helper]:
    """Whom to send to a priority call, nearest first: the resident's village, then town, then
    the rest of the county; within each, staff on duty first, then the least busy."""
    resident, company = call.resident, call.resident.organisation
    code = resident.region.code
    today = timezone.localdate()
    staff: dict[int, Helper] = {}  # by user id: someone with several memberships counts where nearest
    memberships = Membership.objects.filter(
        organisation=company, role__in=[Role.SITE_STAFF, Role.ORG_ADMIN], user__is_active=True
    ).select_related("user", "site__region")
    for membership in memberships:
        site = membership.site
        helper = Helper(
            key=f"user:{membership.user_id}",
            name=membership.user.get_full_name(),
            where=site.name if site else company.short_name or company.name,
            nearness=_nearness(code, site.region.code if site else None),
            is_staff=True,
        )
        known = staff.get(membership.user_id)
        if known is None or helper.nearness < known.nearness:
            staff[membership.user_id] = helper
    on_duty, unwell = _staff_on_duty(list(staff), day_bounds(today)[0])
    for user_id in unwell:
        staff.pop(user_id, None)  # nobody with a fever today goes into an elderly person's home
    busy = _open_counts("assigned_user_id", list(staff), today)
    for user_id, helper in staff.items():
        helper.on_duty = user_id in on_duty
        helper.open_today = busy.get(user_id, 0)
    helpers = {helper.key: helper for helper in staff.values()}
    members = list(
        Member.objects.filter(
            team__region__code__startswith=company.region.prefix, left_on__isnull=True, team__is_active=True
        )
        .exclude(mobile="")
        .select_related("team__region", "village")[:300]
    )
    member_busy = _open_counts("assigned_member_id", [m.pk for m in members], today)
    for member in members:
        place = member.village or member.team.region
        helpers[f"member:{member.pk}"] = Helper(
            key=f"member:{member.pk}",
            name=member.name,
            where=f"{member.team} · {place.name}",
            nearness=_nearness(code, place.code),
            is_staff=False,
            open_today=member_busy.get(member.pk, 0),
        )
    return sorted(helpers.values(), key=lambda h: (h.nearness, not h.on_duty, h.open_today, not h.is_staff, h.name))


def _open_counts(field_name: str, ids: list[int], today: date) -> dict[int, int]:
    """Per helper: priority calls they were sent to and have not visited; for staff also the
    restorations they are sent to that are due by today."""
    calls = (
        PriorityCall.objects.filter(**{f"{field_name}__in": ids}, status="assigned")
        .values(field_name)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row[field_name]: row["n"] for row in calls}
    if field_name == "assigned_user_id":
        orders = (
            FieldOrder.objects.filter(assignee_id__in=ids, done_at__isnull=True, due_on__lte=today, call__isnull=True)
            .values("assignee_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in orders:
            counts[row["assignee_id"]] = counts.get(row["assignee_id"], 0) + row["n"]
    return counts


def station_of(resident: Resident) -> str:
    """The supply station of a priority resident: their power account's; without one, the
    station most of the company's accounts in their town have ("" if none)."""
    if resident.account_id is not None and resident.account is not None:
        return resident.account.supply_station
    town = resident.region.code[:TOWN_CODE_LENGTH]
    row = (
        PowerAccount.objects.filter(organisation_id=resident.organisation_id, region__code__startswith=town)
        .values("supply_station")
        .annotate(n=Count("pk"))
        .order_by("-n", "supply_station")
        .first()
    )
    return row["supply_station"] if row else ""
