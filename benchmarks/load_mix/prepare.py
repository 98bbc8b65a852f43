"""The county for the load test, loaded once (run by benchmarks/load.py in its own process, on
the benchmark's fresh database): the demo world's people, Xiajiang's shops and their delivery
plan (published, its route sheets already made), Qingyuan's service hall and its TV link, and a
factory gate with a check-in code. Prints what the simulated phones, TVs, shops, drivers and
staff need, as one JSON object on the last line.
"""

import json
import sys
import time
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from fugong.accounts.models import User  # noqa: E402
from fugong.delivery.models import Route, Shop  # noqa: E402
from fugong.delivery.services import dispatch, fleet, planning  # noqa: E402
from fugong.demo import world  # noqa: E402
from fugong.demo.delivery import load_delivery  # noqa: E402
from fugong.demo.power import load_power  # noqa: E402
from fugong.demo.volunteers import load_volunteers  # noqa: E402
from fugong.directory.models import Organisation, Region, Site  # noqa: E402
from fugong.notify import services as notify_services  # noqa: E402
from fugong.power.services import hall  # noqa: E402
from fugong.screening.models import MAX_CHECKINS_PER_MINUTE  # noqa: E402
from fugong.screening.services import policies, venues  # noqa: E402

STAFF = ["xiajiang", "huanghuiyun"]  # the county coordinator and the bureau's admin


# A gate takes at most 6,000 check-ins a minute (100 a second, Venue.checkins_per_minute's
# ceiling: more than a gate's turnstiles let through); the load steps past that, so the factory
# has three gates, as a large one does, and the phones are spread over them.
GATES = ("南门", "北门", "东门")


def factory_gates() -> list[str]:
    """A factory of the county with the check-in codes (venue tokens) of its gates."""
    town = Region.objects.get(code="360823101")
    factory = Organisation.objects.create(
        name="峡江县仁和电子厂", short_name="仁和电子厂", kind=Organisation.Kind.ENTERPRISE, region=town
    )
    tokens = []
    for gate_name in GATES:
        gate = Site.objects.create(
            organisation=factory,
            name=f"仁和电子厂{gate_name}",
            kind=Site.Kind.CHECKPOINT,
            region=town,
            address="峡江县仁和镇工业园",
        )
        # Set by the factory's manager for shift change, as the site page lets them.
        venue = venues.open_venue(None, gate, checkins_per_minute=MAX_CHECKINS_PER_MINUTE)
        policies.create_policy(
            None,
            site=gate,
            name="一测温二登记三入厂",
            checks=policies.MEASURE_REGISTER_SERVE,
            effective_from=timezone.now() - timedelta(hours=1),
        )
        tokens.append(venues.venue_token(venue))
    return tokens


def published_plan() -> list[dict]:
    """Today's plan for Baqiu's 118 shops, published: each shop stop with its route's link."""
    planner = User.objects.get(username="huanghuiyun")
    bureau = Organisation.objects.get(short_name="峡江县局")
    plan = planning.create_plan(
        planner,
        bureau,
        day=timezone.localdate(),
        network_points=[Site.objects.get(organisation=bureau, name="巴邱网点")],
        depot=Site.objects.get(name="峡江县局配送中转站"),
        search_seconds=2,
    )
    fleet.take_suggested_fleet(planner, plan)
    planning.start_planning(planner, plan)
    planning.run_plan(plan, keep_locked=False)
    with translation.override("zh-hans"):
        dispatch.publish_plan(planner, plan)
    stops = []
    for route in Route.objects.filter(plan=plan).prefetch_related("stops__orders__lines"):
        token = dispatch.route_token(route)
        for stop in route.stops.all():
            if stop.shop_id is None or stop.is_reload:
                continue
            lines = {line.pk: line.quantity for order in stop.orders.all() for line in order.lines.all()}
            stops.append({"token": token, "stop": stop.pk, "quantities": lines})
    return stops


def shops() -> list[dict]:
    return [
        {"licence_number": s.licence_number, "last_digits": s.mobile[-4:]}
        for s in Shop.objects.filter(is_active=True).exclude(mobile="")
    ]


BROADCAST_TEXT = "尊敬的电力客户：您已办理的暂停减容业务将自动续期，复工时一个电话即可恢复用电。"


def queue_broadcast(count: int, outbox: str, per_minute: int) -> None:
    """The power company's notice to `count` customers through a console channel writing to
    `outbox`, paced at `per_minute` so the workers are still sending while the load runs."""
    channel = notify_services.save_channel(
        None,
        name="load-test console",
        kind="console",
        options={"path": outbox},
        rate_per_minute=per_minute,
        daily_quota_per_recipient=100,
    )
    notify_services.save_template(None, channel, kind="suspension_renewed", text=BROADCAST_TEXT, parameters=[])
    record = notify_services.broadcast(
        User.objects.get(username="admin"),
        channel,
        "suspension_renewed",
        [f"+86139{n:08d}" for n in range(count)],
        {},
        title="暂停减容自动续期",
        source="load test",
    )
    sys.stdout.write(json.dumps({"broadcast": record.pk}) + "\n")


def timed(label: str, started: list[float]) -> None:
    now = time.monotonic()
    sys.stderr.write(f"  {label}: {now - started[0]:.1f} s\n")
    started[0] = now


def main() -> None:
    if sys.argv[1:2] == ["broadcast"]:
        queue_broadcast(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
        return
    clock = [time.monotonic()]
    call_command("migrate", verbosity=0)
    timed("migrate", clock)
    world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
    load_volunteers(mutual_aid_only=True)
    load_delivery()
    timed("demo world and shops", clock)
    load_power(accounts=300, hall_days=1)
    timed("service hall", clock)
    hall_site = Site.objects.get(name="客户服务中心营业厅")
    county = {
        "checkin_tokens": factory_gates(),
        "screen_token": hall.screen_token(hall_site),
        "stops": published_plan(),
        "shops": shops(),
        "staff": STAFF,
        "password": world.DEMO_PASSWORD,
    }
    timed("factory gate and delivery plan", clock)
    # What publishing queued (route sheets, loading lists), done now as `fugong worker` would:
    # the load test's workers start with only the broadcast and what the load itself queues.
    call_command("worker", batch=True, reload=False, scheduler=False, startup_delay=False, verbosity=0)
    timed("route sheets", clock)
    sys.stdout.write(json.dumps(county, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
