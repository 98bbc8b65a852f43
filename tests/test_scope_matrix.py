"""The scope matrix: nobody reaches another county's, another organisation's or a higher role's
objects, on any page or API path that names one.

The endpoints are not listed here: they come from the URL patterns and the API's OpenAPI
schema, so a new page or path with an object in its address is in the matrix the day it is
added, or this test fails naming it and the parameter to describe in `PARAM_OBJECTS`.

For each endpoint and each outsider (`OUTSIDERS`: another county's coordinator, another
organisation's people, a lower role inside the organisation), on an object that belongs to
the owner (picked from the demo world):
- GET answers 404 (not 403, which would say the object exists, not 200, never 5xx);
- every write the endpoint takes (POST on pages, with an empty form; the declared methods on
  the API, with the smallest body its schema accepts) is refused with 404 or 403, the same
  answer as for an id no object has (a 403 only for real ids would tell they are real), and
  writes nothing to the database;
- and, so the matrix cannot pass by using a wrong address, the owner's own administrator gets
  the page (200) or, for a write, an answer that is not a refusal, on the very same request.
Regions are public (a 403 about one reveals nothing); where a lower role sees an object by
design but may not change it (`ROLE_READS`), or reaches it (`ROLE_REACHES`), it is said below
with the rule that allows it. Every request runs in a transaction that is rolled back, so one
case cannot spoil the next; the demo world is loaded once per module (and per xdist worker).
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from fugong.accounts import services as account_services
from fugong.accounts.models import ApiToken, Membership, Role, User
from fugong.api import api
from fugong.core.models import Job
from fugong.delivery.services import dispatch, fleet, planning
from fugong.demo import world as demo_world
from fugong.demo.delivery import load_delivery
from fugong.demo.power import load_power
from fugong.demo.screening import load_screening
from fugong.demo.volunteers import load_volunteers
from fugong.directory import services as directory_services
from fugong.directory.models import Organisation, Region, Site, ZoneStatusChange
from fugong.notify import services as notify_services
from fugong.notify.models import Broadcast, Channel, Message, OptOut
from fugong.power.models import Window
from fugong.power.services import hall
from fugong.resumption import services as resumption_services
from fugong.resumption.models import IndexSetup
from fugong.screening.models import Channel as ScreeningChannel
from fugong.screening.models import Venue
from fugong.screening.services.checkins import Visitor, check_in
from fugong.volunteers.models import HelpCall, MediationCase, Member, Shift, ShiftAssignment, Team
from fugong.volunteers.services import calls
from tests.rollback import rolled_back_transaction
from tests.screening.conftest import GREEN

# --- Who owns what, and who must not reach it --------------------------------------------------


@dataclass(frozen=True)
class Owner:
    key: str
    organisation: str  # short name in the demo
    insider: str  # its administrator: reaches every object of the organisation


OWNERS = {
    "bureau": Owner("bureau", "峡江县局", "huanghuiyun"),  # Xiajiang county, Ji'an
    "power": Owner("power", "国网庆元县供电公司", "qy_power"),  # Qingyuan county, Lishui
    "federation": Owner("federation", "县妇联", "wuyuanzi"),  # Qingyuan county, Lishui
}

OTHER_COUNTY, OTHER_ORGANISATION, LOWER_ROLE = "another county", "another organisation", "a lower role"

# (kind, outsider, owner). lishui (the city above Qingyuan) and admin are insiders everywhere.
OUTSIDERS = [
    (OTHER_COUNTY, "qingyuan", "bureau"),
    (OTHER_COUNTY, "xiajiang", "power"),
    (OTHER_COUNTY, "xiajiang", "federation"),
    (OTHER_ORGANISATION, "wuyuanzi", "bureau"),
    (OTHER_ORGANISATION, "huyao", "power"),
    (OTHER_ORGANISATION, "wuyuanzi", "power"),  # same county, another organisation
    (OTHER_ORGANISATION, "qy_power", "federation"),  # same county, another organisation
    (OTHER_ORGANISATION, "huyao", "federation"),
    (LOWER_ROLE, "laoyan", "bureau"),  # a mutual-aid group leader (volunteer)
    (LOWER_ROLE, "huyao", "bureau"),  # network-point staff
    (LOWER_ROLE, "yezeyun", "federation"),  # a team leader (volunteer)
    (LOWER_ROLE, "hufenfen", "power"),  # the service hall's staff
    (LOWER_ROLE, "qy_helper", "power"),  # a volunteer of the power company (made below: the demo has none)
]

# Endpoints a lower role reaches by design, so they are no outsider there (the object picked is
# one they may see). Site staff work their own site's door (screening/access.py
# q_screened_sites) and browse their organisation's sites (directory/queries.py SITE_BROWSERS);
# the hall's staff serve customers (power/access.py may_serve: accounts, applications, the hall
# and its windows, the priority line) and read the city's index (resumption/queries.py);
# network-point staff plan deliveries (delivery/access.py may_plan) and coordinate the bureau's
# mutual-aid groups (volunteers/access.py), though not their mediation cases.
SITE_STAFF_REACH = {
    "directory/sites/<int:site_id>/",
    "GET /api/directory/sites/{site_id}",
    "screening/sites/<int:venue_id>/",
    "screening/sites/<int:venue_id>/console/",
    "screening/sites/<int:venue_id>/console/feed/",
    "screening/sites/<int:venue_id>/checkins/",
    "screening/sites/<int:venue_id>/hygiene/",
    "screening/sites/<int:venue_id>/poster.pdf",
    "screening/sites/<int:venue_id>/policies/",
    "screening/checkins/<int:checkin_id>/decide/",
    "/api/screening/sites/{venue_id}/checkins",
    "/api/screening/sites/{venue_id}/checkins/batch",
    "/api/screening/sites/{venue_id}/overdue",
    "/api/screening/sites/{venue_id}/staff-temperatures",
    "/api/screening/sites/{venue_id}/disinfections",
}
ROLE_REACHES = {
    "hufenfen": SITE_STAFF_REACH
    | {
        "power/accounts/<int:account_id>/",
        "power/accounts/<int:account_id>/apply/",
        "power/applications/<int:application_id>/",
        "power/applications/<int:application_id>/<slug:action>/",
        "power/halls/<int:site_id>/",
        "power/halls/<int:site_id>/take/",
        "power/halls/<int:site_id>/screen/renew/",
        "power/windows/<int:window_id>/",
        "power/priority/residents/<int:resident_id>/",
        "power/priority/residents/<int:resident_id>/call/",
        "power/priority/residents/<int:resident_id>/end/",
        "power/priority/calls/<int:call_id>/",
        "power/priority/calls/<int:call_id>/<slug:action>/",
        "power/priority/revisits/<int:revisit_id>/done/",
        "/api/power/accounts/{account_id}/applications",
        "/api/power/applications/{application_id}/approve",
        "/api/power/applications/{application_id}/reject",
        "/api/power/applications/{application_id}/restoration",
        "/api/power/applications/{application_id}/restored",
        "/api/power/halls/{site_id}/tickets",
        "/api/power/halls/{site_id}/state",
        "/api/power/windows/{window_id}/next",
        "/api/power/windows/{window_id}/finish",
        "/api/power/revisits/{revisit_id}/done",
        "/api/resumption/setups/{setup_id}/figures",
        "/api/resumption/setups/{setup_id}/ranking",
    },
    "huyao": SITE_STAFF_REACH
    | {
        "delivery/shops/<int:shop_id>/",
        "delivery/plans/<int:plan_id>/",
        "delivery/plans/<int:plan_id>/live/",
        "delivery/plans/<int:plan_id>/routes/<int:route_id>/link/",
        "delivery/plans/<int:plan_id>/print/<str:kind>/",
        "/api/delivery/plans/{plan_id}/progress",
        "/api/delivery/plans/{plan_id}",
        "volunteers/teams/<int:team_id>/",
        "volunteers/teams/<int:team_id>/members/new/",
        "volunteers/members/<int:member_id>/",
        "volunteers/calls/<int:call_id>/",
        "volunteers/shifts/<int:shift_id>/",
        "volunteers/me/sign/<int:assignment_id>/",
        "/api/volunteers/calls/{call_id}",
        "/api/volunteers/calls/{call_id}/thread",
        "/api/volunteers/calls/{call_id}/notes",
        "/api/volunteers/teams/{team_id}/activities",
        "/api/volunteers/teams/{team_id}/aid",
    },
}

# Endpoints where a lower role sees the object but may not change it: the page or API object
# answers them (200), every write is refused (403 is right: they know it exists) and writes
# nothing. Site staff see their site and its policies but do not rotate its code, close it or
# withdraw a policy (administrators' work, screening/access.py); the hall's staff see the hall,
# not its windows' set-up, and read the city's index without setting it up; nobody but
# administrators edits a site; an organisation's staff read the messages sent on its behalf,
# numbers masked, and resend none (notify/queries.py visible_messages, #21 item 7).
SITE_STAFF_READ = {
    "notify/messages/<int:message_id>/",
    "GET /api/notify/messages/{message_id}",
    "PATCH /api/directory/sites/{site_id}",
    "screening/sites/<int:venue_id>/rotate/",
    "screening/sites/<int:venue_id>/close/",
    "screening/policies/<int:policy_id>/withdraw/",
}
ROLE_READS = {
    "hufenfen": SITE_STAFF_READ
    | {
        "power/halls/<int:site_id>/windows/",
        "PATCH /api/resumption/setups/{setup_id}/method",
        "POST /api/resumption/setups/{setup_id}/files",
        "POST /api/resumption/setups/{setup_id}/compute",
    },
    "huyao": SITE_STAFF_READ,
}

# --- How to find an object of an owner for each parameter in an address -------------------------

# Parameters that are keys themselves (a signed token or an unguessable public id is the
# permission: whoever holds the link may open it). They are tested where they are made.
KEY_PARAMS = {
    "token": "a signed link (duty, answer, run, venue code, hall screen): the token is the permission",
    "public_id": "a visitor's own check-in result or queue number, an unguessable UUID shown only to them",
}

# Parameters that choose a kind or an action, not an object: the value to use, by URL name.
FIXED_PARAMS: dict[tuple[str, str], Callable[[dict[str, Model]], str]] = {
    ("directory:import", "kind"): lambda _chosen: "sites",
    ("directory:export", "kind"): lambda _chosen: "sites",
    ("delivery:plan_document", "kind"): lambda _chosen: "xlsx",
    ("power:application_act", "action"): lambda _chosen: "approve",
    ("power:call_act", "action"): lambda _chosen: "visit",
    ("notify:template_delete", "kind"): lambda chosen: chosen["channel_id"].templates.order_by("kind")[0].kind,
}

# Regions are the country's administrative divisions (GB/T 2260), public (directory/queries.py
# regions): a refusal about one may say 403. The region page and API object are read by all;
# only writing (a lockdown status, a child region) is refused.
PUBLIC_PARAMS = {("directory", "code"), ("screening", "code")}
PUBLIC_READS = {
    "directory/regions/<str:code>/": "administrative divisions are public; changing a lockdown status is not",
    "GET /api/directory/regions/{code}": "administrative divisions are public",
    "GET /api/directory/regions/{code}/zone-changes": "lockdown statuses and their changes are announced",
}


@dataclass(frozen=True)
class Case:
    kind: str
    outsider: str
    owner: Owner


Picker = Callable[[Owner, User, dict[str, Model]], Model | None]


def _org(owner: Owner) -> Organisation:
    return Organisation.objects.get(short_name=owner.organisation)


def _first(qs: QuerySet[Any]) -> Any:
    return qs.order_by("pk").first()


def _own_teams(user: User) -> Q:
    """Teams the person belongs to or leads: theirs by right, not an outsider's test."""
    return Q(members__user=user) | Q(leader__user=user)


def _team_q(user: User, prefix: str) -> Q:
    return Q(**{f"{prefix}__in": Team.objects.filter(_own_teams(user))})


def pick_team(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    return _first(Team.objects.filter(organisation=_org(owner)).exclude(_own_teams(user)).distinct())


def pick_member(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    return _first(Member.objects.filter(team__organisation=_org(owner)).exclude(_team_q(user, "team")))


def pick_help_call(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    theirs = _team_q(user, "teams") | Q(created_by=user)
    return _first(HelpCall.objects.filter(organisation=_org(owner)).exclude(theirs).distinct())


def pick_shift(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    return _first(Shift.objects.filter(team__organisation=_org(owner)).exclude(_team_q(user, "team")))


def pick_assignment(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    qs = ShiftAssignment.objects.filter(shift__team__organisation=_org(owner))
    return _first(qs.exclude(_team_q(user, "shift__team")).exclude(member__user=user))


def pick_case(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    return _first(MediationCase.objects.filter(team__organisation=_org(owner)).exclude(_team_q(user, "team")))


def pick_user(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    people = User.objects.filter(memberships__organisation=_org(owner)).exclude(pk=user.pk).distinct()
    return people.exclude(username=owner.insider).order_by("pk").first() or _first(people)


def pick_membership(owner: Owner, user: User, _chosen: dict[str, Model]) -> Model | None:
    held = Membership.objects.filter(organisation=_org(owner)).exclude(user=user)
    return held.exclude(user__username=owner.insider).order_by("pk").first()


def _of_org(model_path: str, org_field: str, **where: Any) -> Picker:
    """Objects whose organisation is reached through `org_field`, the first by id."""

    def pick(owner: Owner, _user: User, _chosen: dict[str, Model]) -> Model | None:
        model = apps.get_model(model_path)
        return _first(model.objects.filter(**{org_field: _org(owner)}, **where))

    return pick


def _of_insider(model: type[Model], user_field: str) -> Picker:
    """Objects that are a person's own (their job, their API token): the owner's administrator's."""

    def pick(owner: Owner, _user: User, _chosen: dict[str, Model]) -> Model | None:
        return _first(model.objects.filter(**{user_field: User.objects.get(username=owner.insider)}))

    return pick


def pick_region(owner: Owner, _user: User, _chosen: dict[str, Model]) -> Model | None:
    return _org(owner).region


def pick_zone_change(owner: Owner, _user: User, _chosen: dict[str, Model]) -> Model | None:
    # A lockdown change scheduled ahead in the owner's county, which its coordinator may withdraw.
    return _first(ZoneStatusChange.objects.filter(region=_org(owner).region, effective_at__gt=timezone.now()))


def pick_route(_owner: Owner, _user: User, chosen: dict[str, Model]) -> Model | None:
    return _first(chosen["plan_id"].routes.all())  # type: ignore[attr-defined]


def pick_resumption_job(owner: Owner, _user: User, _chosen: dict[str, Model]) -> Model | None:
    # An import or computation of a city's index: its coordinator's own, as other jobs are.
    if _org(owner).kind != Organisation.Kind.POWER_SUPPLY:
        return None
    return _first(Job.objects.filter(kind__startswith="resumption.", created_by__username="lishui"))


def pick_setup(owner: Owner, _user: User, _chosen: dict[str, Model]) -> Model | None:
    # A city's index is read by the power companies inside it and set up by the city's coordinator.
    if _org(owner).kind != Organisation.Kind.POWER_SUPPLY:
        return None
    return _first(IndexSetup.objects.filter(region__code=_org(owner).region.code[:4] + "00"))


@dataclass(frozen=True)
class ObjectParam:
    pick: Picker
    url_value: Callable[[Model], str] = lambda obj: str(obj.pk)
    insider: dict[str, str] = field(default_factory=dict)  # owner key -> who reaches it instead


# (area, parameter) -> how to find the owner's object. The area is the address's first part
# (after /api/): the same name may mean different things in two apps (call_id).
PARAM_OBJECTS: dict[tuple[str, str], ObjectParam] = {
    ("jobs", "job_id"): ObjectParam(_of_insider(Job, "created_by")),
    ("accounts", "token_id"): ObjectParam(_of_insider(ApiToken, "user")),
    ("accounts", "user_id"): ObjectParam(pick_user),
    ("accounts", "membership_id"): ObjectParam(pick_membership),
    ("directory", "code"): ObjectParam(
        pick_region,
        url_value=lambda region: region.code,  # type: ignore[attr-defined]
        insider={"bureau": "xiajiang", "power": "qingyuan", "federation": "qingyuan"},  # a region's coordinator
    ),
    ("directory", "org_id"): ObjectParam(lambda owner, _u, _c: _org(owner)),
    ("directory", "change_id"): ObjectParam(
        pick_zone_change, insider={"bureau": "xiajiang", "power": "qingyuan", "federation": "qingyuan"}
    ),
    ("directory", "site_id"): ObjectParam(_of_org("directory.Site", "organisation")),
    ("notify", "message_id"): ObjectParam(_of_org("notify.Message", "channel__organisation")),
    ("notify", "broadcast_id"): ObjectParam(_of_org("notify.Broadcast", "channel__organisation")),
    ("notify", "opt_out_id"): ObjectParam(_of_org("notify.OptOut", "organisation")),
    ("notify", "channel_id"): ObjectParam(_of_org("notify.Channel", "organisation")),
    ("volunteers", "team_id"): ObjectParam(pick_team),
    ("volunteers", "member_id"): ObjectParam(pick_member),
    ("volunteers", "call_id"): ObjectParam(pick_help_call),
    ("volunteers", "shift_id"): ObjectParam(pick_shift),
    ("volunteers", "assignment_id"): ObjectParam(pick_assignment),
    ("volunteers", "case_id"): ObjectParam(pick_case),
    ("delivery", "shop_id"): ObjectParam(_of_org("delivery.Shop", "organisation")),
    ("delivery", "plan_id"): ObjectParam(_of_org("delivery.DeliveryPlan", "organisation")),
    ("delivery", "route_id"): ObjectParam(pick_route),
    ("screening", "venue_id"): ObjectParam(_of_org("screening.Venue", "site__organisation")),
    ("screening", "code"): ObjectParam(
        pick_region,
        url_value=lambda region: region.code,  # type: ignore[attr-defined]
        insider={"bureau": "xiajiang", "power": "qingyuan", "federation": "qingyuan"},  # a region's coordinator
    ),
    ("screening", "policy_id"): ObjectParam(_of_org("screening.AdmissionPolicy", "site__organisation")),
    ("screening", "checkin_id"): ObjectParam(_of_org("screening.CheckIn", "venue__site__organisation")),
    ("power", "account_id"): ObjectParam(_of_org("power.PowerAccount", "organisation")),
    ("power", "application_id"): ObjectParam(_of_org("power.CapacityApplication", "account__organisation")),
    ("power", "site_id"): ObjectParam(_of_org("directory.Site", "organisation", kind=Site.Kind.SERVICE_HALL)),
    ("power", "window_id"): ObjectParam(_of_org("power.Window", "site__organisation", is_open=True)),
    ("power", "resident_id"): ObjectParam(_of_org("power.Resident", "organisation")),
    ("power", "call_id"): ObjectParam(_of_org("power.PriorityCall", "resident__organisation")),
    ("power", "revisit_id"): ObjectParam(_of_org("power.Revisit", "resident__organisation", done_at__isnull=True)),
    ("resumption", "setup_id"): ObjectParam(pick_setup, insider={"power": "lishui"}),
    ("resumption", "job_id"): ObjectParam(pick_resumption_job, insider={"power": "lishui"}),
}

# --- The endpoints, from the URL patterns and the API schema ------------------------------------


@dataclass(frozen=True)
class Endpoint:
    label: str  # the route as written ("volunteers/teams/<int:team_id>/") or "/api/..." path
    name: str  # URL name with namespace, or the API operation's id
    route: str  # with {param} placeholders
    params: tuple[str, ...]
    api: bool
    operations: tuple[tuple[str, dict[str, Any]], ...] = ()  # API: (method, OpenAPI operation)

    @property
    def area(self) -> str:
        parts = self.route.strip("/").split("/")
        return parts[1] if self.api else parts[0]


REGEX_ROUTES: list[str] = []  # re_path() patterns with groups: the matrix cannot read them


def _page_endpoints() -> list[Endpoint]:
    found = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == api.urls_namespace:  # the API: from its schema below
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if not isinstance(entry.pattern, RoutePattern):
                    if entry.pattern.regex.groups:
                        REGEX_ROUTES.append(route)
                    continue
                params = tuple(entry.pattern.converters)
                if params:
                    placeholder = route
                    for part in route.split("<")[1:]:
                        spec = part.split(">")[0]
                        placeholder = placeholder.replace(f"<{spec}>", "{" + spec.split(":")[-1] + "}")
                    found.append(Endpoint(route, f"{namespace}{entry.name}", "/" + placeholder, params, api=False))

    walk(get_resolver(), "", "")
    return found


def _api_endpoints() -> list[Endpoint]:
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        params = tuple(p["name"] for op in operations.values() for p in op.get("parameters", []) if p["in"] == "path")
        if not params:
            continue
        ordered = tuple(dict.fromkeys(params))
        ops = tuple((method.upper(), op) for method, op in operations.items())
        found.append(Endpoint(path, path, path, ordered, api=True, operations=ops))
    return found


def _object_params(endpoint: Endpoint) -> list[str]:
    return [p for p in endpoint.params if (endpoint.name, p) not in FIXED_PARAMS]


ENDPOINTS = _page_endpoints() + _api_endpoints()
# Those with an object in the address; those with a key in it are left out (KEY_PARAMS).
TESTED = [e for e in ENDPOINTS if _object_params(e) and not set(e.params) & set(KEY_PARAMS)]


# --- The demo world, once per module --------------------------------------------------------------


def _load_world() -> None:
    demo_world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
    load_volunteers()
    load_delivery()
    load_screening(days=1)
    load_power(accounts=60, hall_days=1)
    bureau = Organisation.objects.get(short_name="峡江县局")
    plan = planning.create_plan(
        None, bureau, day=timezone.localdate(), network_points=[Site.objects.get(name="巴邱网点")], search_seconds=1
    )
    fleet.take_suggested_fleet(None, plan)
    planning.start_planning(None, plan)
    with override_settings(ROUTING_WORKERS=1):  # a second's search in this process is enough
        planning.run_plan(plan, keep_locked=False)
    dispatch.publish_plan(None, plan)
    for org in Organisation.objects.filter(short_name__in=["峡江县局", "国网庆元县供电公司"]):
        # a lockdown change due in each owner's county (the federation is in the power company's)
        directory_services.set_zone_status(None, org.region, "closed", effective_at=timezone.now() + timedelta(days=3))
    lishui = Region.objects.get(code="331100")
    resumption_services.save_setup(None, lishui, baseline_start=date(2019, 10, 1), baseline_end=date(2019, 12, 31))
    company = Organisation.objects.get(short_name="国网庆元县供电公司")
    account_services.create_user(
        None,
        username="qy_helper",
        password=demo_world.DEMO_PASSWORD,
        full_name="供电志愿者",
        mobile="13905780099",
        membership=Membership(role=Role.VOLUNTEER, organisation=company),
    )
    window = Window.objects.filter(site__organisation=company, is_open=True).order_by("pk").first()
    assert window is not None
    # A number at the window, for finishing it. Before the hall opens (the demo's queue is this
    # morning's visitors, up to now) nobody is waiting, so a walk-in takes one.
    if hall.current_ticket(window) is None and hall.call_next(None, window) is None:
        venue = Venue.objects.get(site=window.site)
        visitor = Visitor("来办事的人", mobile="13905780098")
        answers = GREEN | {"risk_area": "no", "test_result": "negative", "vaccination": 3}  # every check passed
        walk_in, _new = check_in(None, venue, visitor, answers, channel=ScreeningChannel.PHONE)
        hall.take_ticket(None, window.site, window.kinds[0], checkin=walk_in)
        assert hall.call_next(None, window) is not None
    start = timezone.now() + timedelta(days=1)
    for owner in ("bureau", "federation"):  # a call for help that is not to the volunteers' own teams
        org = _org(OWNERS[owner])
        team = Team.objects.filter(organisation=org).exclude(leader__user__isnull=False).order_by("pk").first()
        assert team is not None
        calls.open_call(
            None,
            org,
            title="scope matrix",
            needed=1,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="x",
            teams=[team],
        )
    lishui = User.objects.get(username="lishui")  # the city's coordinator imports its index's files
    Job.objects.create(kind="resumption.import", title="scope matrix", created_by=lishui)
    for owner in OWNERS.values():  # what no demo module makes: a person's job and token, outbox rows
        insider = User.objects.get(username=owner.insider)
        org = _org(owner)
        Job.objects.create(kind="demo", title="scope matrix", created_by=insider)
        account_services.create_api_token(insider, name="scope matrix", expires_at=timezone.now() + timedelta(days=1))
        channel = Channel.objects.filter(organisation=org).order_by("pk").first()
        assert channel is not None
        template = channel.templates.order_by("kind").first()
        assert template is not None
        parameters = dict.fromkeys(template.parameters, "x")
        notify_services.enqueue(insider, channel, template.kind, [insider.mobile], parameters)
        notify_services.broadcast(
            insider, channel, template.kind, [insider.mobile], parameters, title="scope matrix", source="people"
        )
        notify_services.opt_out(insider, f"1390000{org.pk:04d}", note="scope matrix")
    assert Message.objects.exists() and Broadcast.objects.exists() and OptOut.objects.exists()


_clients: dict[str, Client] = {}


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo world loaded once for the module inside a transaction that is rolled back at
    the end, so the other tests on this worker find the database as they left it."""
    with django_db_blocker.unblock():
        outer = rolled_back_transaction()
        outer.__enter__()
        try:
            _load_world()
            for user in User.objects.all():  # signed in here: a test's own transaction ends with it
                _clients[user.username] = Client()
                _clients[user.username].force_login(user)
            yield
        finally:
            _clients.clear()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- Requests ------------------------------------------------------------------------------------


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A minimal valid value for an OpenAPI schema: required fields only, simple values."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "anyOf" in schema:
        return _sample(next(s for s in schema["anyOf"] if s.get("type") != "null"), components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _sample(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return timezone.localdate().isoformat()
        if fmt == "date-time":
            return timezone.now().isoformat()
        if fmt == "binary":
            return SimpleUploadedFile("matrix.csv", b"account_id,county\n1,331126\n")
        return "x" * max(schema.get("minLength", 1), 8)
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 36.5
    if kind == "boolean":
        return True
    return None


COMPONENTS = api.get_openapi_schema().get("components", {}).get("schemas", {})


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: Any = None
    content_type: str = ""


def _calls(endpoint: Endpoint, url: str) -> list[Call]:
    if not endpoint.api:
        return [Call("GET", url), Call("POST", url, {})]
    calls = []
    for method, op in endpoint.operations:
        query = {p["name"]: _sample(p["schema"], COMPONENTS) for p in op.get("parameters", []) if p["in"] == "query"}
        target = url + ("?" + "&".join(f"{k}={v}" for k, v in query.items() if v is not None) if query else "")
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = _sample(content["application/json"]["schema"], COMPONENTS)
            calls.append(Call(method, target, json.dumps(body), "application/json"))
        elif "multipart/form-data" in content:
            calls.append(Call(method, target, _sample(content["multipart/form-data"]["schema"], COMPONENTS)))
        else:
            calls.append(Call(method, target))
    return calls


WRITE_SQL = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass
class Answer:
    status: int
    writes: list[str]
    error: str = ""


def _send(client: Client, call: Call) -> Answer:
    """Make the request in a transaction that is rolled back; note what it wrote."""
    writes: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statement = sql.lstrip().upper()
        if statement.startswith(WRITE_SQL) and "DJANGO_SESSION" not in statement.split("(")[0]:
            writes.append(" ".join(sql.split()[:4]))
        return execute(sql, params, many, context)

    with rolled_back_transaction():
        try:
            with connection.execute_wrapper(record):
                method = getattr(client, call.method.lower())
                if call.content_type:
                    response = method(call.url, data=call.body, content_type=call.content_type)
                elif call.body is not None:
                    response = method(call.url, data=call.body)
                else:
                    response = method(call.url)
            answer = Answer(response.status_code, writes)
        except Exception as error:  # a 500: the client raises the view's exception
            answer = Answer(500, writes, f"{type(error).__name__}: {error}")
        transaction.set_rollback(True)
    return answer


def _client(username: str) -> Client:
    return _clients[username]


MISSING = "987654321"  # an id no object has


def _url(endpoint: Endpoint, case: Case) -> tuple[str, str, str] | str:
    """The address of an object of the owner for this outsider, the same address with ids no
    object has, and who reaches it; or why there is no such object."""
    outsider = User.objects.get(username=case.outsider)
    chosen: dict[str, Model] = {}
    values: dict[str, str] = {}
    missing: dict[str, str] = {}
    insider = case.owner.insider
    for param in endpoint.params:
        fixed = FIXED_PARAMS.get((endpoint.name, param))
        if fixed is not None:
            values[param] = missing[param] = fixed(chosen)
            continue
        spec = PARAM_OBJECTS[(endpoint.area, param)]
        obj = spec.pick(case.owner, outsider, chosen)
        if obj is None:
            return f"{case.owner.organisation} has no object for {param}"
        chosen[param] = obj
        values[param] = spec.url_value(obj)
        missing[param] = MISSING
        insider = spec.insider.get(case.owner.key, insider)
    return endpoint.route.format(**values), endpoint.route.format(**missing), insider


# --- The tests -------------------------------------------------------------------------------------


def _undescribed(endpoints: list[Endpoint]) -> list[str]:
    return [
        f"{endpoint.label}: parameter {param!r} (area {endpoint.area!r}): add it to PARAM_OBJECTS"
        for endpoint in endpoints
        if not set(endpoint.params) & set(KEY_PARAMS)  # the key opens the rest (stop_id within a run)
        for param in _object_params(endpoint)
        if (endpoint.area, param) not in PARAM_OBJECTS
    ]


def test_every_endpoint_with_an_object_is_described() -> None:
    """A new page or API path whose address names an object fails here until PARAM_OBJECTS (or,
    for a kind or an action, FIXED_PARAMS) says how to find one an outsider must not reach."""
    assert len(TESTED) > 70, "the URL patterns or the API schema were not read"
    missing = _undescribed(ENDPOINTS)
    assert not missing, "\n".join(missing)
    assert not REGEX_ROUTES, f"write these with path() so their parameters can be read: {REGEX_ROUTES}"
    described = {(e.area, p) for e in TESTED for p in _object_params(e)}
    assert set(PARAM_OBJECTS) <= described, f"described but no longer in any address: {set(PARAM_OBJECTS) - described}"
    reaches = {label for named in (ROLE_REACHES, ROLE_READS) for labels in named.values() for label in labels}
    labels = {e.label for e in ENDPOINTS} | {f"{method} {e.label}" for e in ENDPOINTS for method, _op in e.operations}
    assert reaches <= labels, f"ROLE_REACHES names endpoints that no longer exist: {reaches - labels}"
    assert set(PUBLIC_READS) <= labels, (
        f"PUBLIC_READS names endpoints that no longer exist: {set(PUBLIC_READS) - labels}"
    )


def test_a_new_endpoint_is_named_with_its_parameter() -> None:
    gadget = Endpoint("gadgets/<int:gadget_id>/", "gadgets:gadget", "/gadgets/{gadget_id}/", ("gadget_id",), api=False)
    api_gadget = Endpoint(
        "/api/gadgets/{serial}", "/api/gadgets/{serial}", "/api/gadgets/{serial}", ("serial",), api=True
    )
    linked = Endpoint("gadgets/<str:token>/", "gadgets:link", "/gadgets/{token}/", ("token",), api=False)
    assert _undescribed([gadget, api_gadget, linked]) == [
        "gadgets/<int:gadget_id>/: parameter 'gadget_id' (area 'gadgets'): add it to PARAM_OBJECTS",
        "/api/gadgets/{serial}: parameter 'serial' (area 'gadgets'): add it to PARAM_OBJECTS",
    ]


def _named(labels: dict[str, set[str]], username: str, endpoint: Endpoint, method: str) -> bool:
    return bool({endpoint.label, f"{method} {endpoint.label}"} & labels.get(username, set()))


def _problems(endpoint: Endpoint) -> tuple[list[str], int, set[str]]:
    problems: list[str] = []
    checked = 0
    kinds: set[str] = set()
    sane: dict[tuple[str, str, str], Answer] = {}
    # A region is public knowledge: saying "not yours" (403) about it reveals nothing.
    public_object = all((endpoint.area, p) in PUBLIC_PARAMS for p in _object_params(endpoint))
    for kind, outsider, owner_key in OUTSIDERS:
        case = Case(kind, outsider, OWNERS[owner_key])
        where = _url(endpoint, case)
        if isinstance(where, str):
            continue  # this owner has no such objects (the bureau has no power accounts)
        url, missing_url, insider = where
        for call, missing_call in zip(_calls(endpoint, url), _calls(endpoint, missing_url), strict=True):
            if _named(ROLE_REACHES, outsider, endpoint, call.method):
                continue
            reads = _named(ROLE_READS, outsider, endpoint, call.method)
            if reads and call.method == "GET":
                continue
            key = (insider, call.method, call.url)
            if key not in sane:
                sane[key] = _send(_client(insider), call)
            own = sane[key]
            public_read = call.method == "GET" and (
                endpoint.label in PUBLIC_READS or f"GET {endpoint.label}" in PUBLIC_READS
            )
            if call.method == "GET" and own.status == 405 and not endpoint.api:
                continue  # a POST-only page: tested with POST
            if call.method == "GET":
                if own.status != 200:
                    problems.append(f"{call.method} {call.url}: the owner's {insider} gets {own.status} {own.error}")
                    continue
            elif own.status in (403, 404) or own.status >= 500:
                problems.append(f"{call.method} {call.url}: the owner's {insider} gets {own.status} {own.error}")
                continue
            if public_read:
                continue
            answer = _send(_client(outsider), call)
            checked += 1
            kinds.add(kind)
            who = f"{call.method} {call.url} by {outsider} ({kind}, object of {case.owner.organisation})"
            refused_get = {403, 404} if public_object else {404}
            if call.method == "GET" and answer.status not in refused_get:
                problems.append(f"{who}: {answer.status} instead of 404 {answer.error}")
            elif call.method != "GET" and answer.status not in (403, 404):
                problems.append(f"{who}: {answer.status} instead of 404 or 403 {answer.error}")
            if answer.writes:
                problems.append(f"{who}: wrote {answer.writes}")
            if call.method != "GET" and not public_object and not reads:
                # Refused as if the object did not exist: a 403 only for real ids tells they are real.
                nothing = _send(_client(outsider), missing_call)
                if nothing.status != answer.status:
                    problems.append(f"{who}: {answer.status}, but {nothing.status} for an id that does not exist")
    return problems, checked, kinds


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", TESTED, ids=[e.label for e in TESTED])
def test_outsiders_are_refused_and_change_nothing(endpoint: Endpoint, matrix_world: None) -> None:
    problems, checked, kinds = _problems(endpoint)
    assert not problems, "\n".join(dict.fromkeys(problems))
    if all(f"{method} {endpoint.label}" in PUBLIC_READS for method, _op in endpoint.operations or [("GET", {})]):
        return  # only a public read (a region over the API)
    assert checked, f"{endpoint.label}: no outsider case could be built (no object of any owner?)"
    if endpoint.label not in PUBLIC_READS:
        assert kinds == {OTHER_COUNTY, OTHER_ORGANISATION, LOWER_ROLE}, f"{endpoint.label}: only {kinds}"


@pytest.mark.django_db
def test_the_matrix_notices_a_write_and_undoes_it(matrix_world: None) -> None:
    """Its own instruments: a request that writes is seen writing (and rolled back), so "wrote
    nothing" above means something; the owner gets in where the outsiders did not."""
    venue = Venue.objects.get(site__name="巴邱网点")
    rotated = _send(_client("huanghuiyun"), Call("POST", f"/screening/sites/{venue.pk}/rotate/", {}))
    assert rotated.status == 302 and any("screening_venue" in write for write in rotated.writes)
    assert Venue.objects.get(pk=venue.pk).code_version == venue.code_version
    assert _send(_client("qingyuan"), Call("POST", f"/screening/sites/{venue.pk}/rotate/", {})).status == 404
