"""Broadcasts reach each module's own people: the bureau's shops, the teams' members, the sites'
staff; the audience's filters are scoped to the person and fill each message's own parameters."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fugong.delivery.models import DeliveryPlan, Shop
from fugong.directory.models import Organisation, Region, Site, ZoneStatus
from fugong.directory.services import set_zone_status
from fugong.notify import recipients, services
from fugong.notify.kinds import label_of
from fugong.notify.models import Broadcast, Channel, Message
from fugong.volunteers.models import Member

NEW = "/notify/broadcasts/new/"


def bureau() -> Channel:
    return Channel.objects.get(name="峡江县局（演示控制台）")


def test_the_bureau_tells_one_network_points_shops_each_by_its_own_name(client_for: Any, demo_delivery: Any) -> None:
    client = client_for("huanghuiyun")
    template = f"{bureau().pk}:order_dispatched"
    chosen = client.get(NEW, {"template": template, "audience": "delivery_shops"}).context["form"]
    # The template is picked by its name in words, under its channel.
    assert (template, label_of("order_dispatched")) in dict(chosen.fields["template"].choices)[bureau().name]
    points = [label for _value, label in chosen.fields["filter_network_point"].choices]
    assert points[1:] == ["巴邱网点", "新干金川网点"]  # the bureau's own, nobody else's
    assert chosen.fields["param_shop"].disabled  # each shop fills its own name
    assert chosen.fields["param_eta"].required  # the rest is entered

    baqiu = Site.objects.get(name="巴邱网点")
    form = {
        "title": "巴邱网点送货通知",
        "template": template,
        "audience": "delivery_shops",
        "filter_network_point": baqiu.pk,
        "param_eta": "明天上午",
    }
    preview = client.post(NEW, form)
    shops = Shop.objects.filter(network_point=baqiu).order_by("licence_number")
    assert preview.context["preview"]["count"] == shops.count() == 118  # the seed's Baqiu customers
    first = shops.first()
    assert first is not None
    whole = f"{first.name}，您订购的卷烟已排入今日配送，预计 明天上午 送达，请在店内等候收货。"
    assert whole in preview.content.decode()  # the first message, whole
    assert not Message.objects.exists()

    done = client.post(NEW, {**form, "confirm": "1"})
    broadcast = Broadcast.objects.get(title="巴邱网点送货通知")
    assert broadcast.source == "delivery_shops" and broadcast.filters == {"network_point": str(baqiu.pk)}
    said = client.get(done.url).content.decode()
    assert "巴邱网点" in said  # to whom it went, in words
    sent = Message.objects.filter(broadcast__title="巴邱网点送货通知")
    assert sent.count() == 118
    last = shops.last()
    assert last is not None
    assert sent.get(recipient=last.mobile).body.startswith(f"{last.name}，")


def test_shops_with_orders_held_and_a_filter_from_elsewhere_is_refused(client_for: Any, demo_delivery: Any) -> None:
    closed = Shop.objects.filter(network_point__name="新干金川网点").order_by("pk").first()
    assert closed is not None
    set_zone_status(None, closed.region, ZoneStatus.CLOSED)  # its orders are held
    held = Shop.objects.filter(orders__status="held").distinct()
    found = recipients.resolve(demo_delivery["huanghuiyun"], "delivery_shops", {"orders": "held"})
    assert closed.mobile in {r.address for r in found}
    assert sorted(r.address for r in found) == sorted(held.values_list("mobile", flat=True))
    # A plan for tomorrow takes one shop's orders: that shop has a delivery tomorrow.
    tomorrow = timezone.localdate() + timedelta(days=1)
    plan = DeliveryPlan.objects.create(organisation=closed.organisation, day=tomorrow)
    planned = Shop.objects.filter(network_point__name="巴邱网点").order_by("pk").first()
    assert planned is not None
    plan.orders.add(*planned.orders.all())
    ahead = recipients.resolve(demo_delivery["huanghuiyun"], "delivery_shops", {"orders": "tomorrow"})
    assert [r.address for r in ahead] == [planned.mobile]
    hall = Site.objects.get(name="客户服务中心营业厅")  # the power company's: not the bureau's to choose
    form = {
        "title": "t",
        "template": f"{bureau().pk}:order_dispatched",
        "audience": "delivery_shops",
        "filter_network_point": hall.pk,
        "param_eta": "明天",
    }
    response = client_for("huanghuiyun").post(NEW, form)
    assert "filter_network_point" in response.context["form"].errors
    assert not Message.objects.exists()


def test_each_person_is_offered_their_own_audiences(client_for: Any, demo_delivery: Any) -> None:
    def offered(username: str) -> set[str]:
        return {audience.key for audience in recipients.offered_to(demo_delivery[username])}

    assert {"delivery_shops", "volunteer_members", "site_staff"} <= offered("huanghuiyun")
    assert {"delivery_shops", "volunteer_members"} <= offered("xiajiang")  # the county's coordinator
    assert "delivery_shops" not in offered("wuyuanzi")  # the federation has no shops
    assert "power_suspended" in offered("qy_power") and "power_suspended" not in offered("huanghuiyun")
    form = {"title": "t", "template": f"{bureau().pk}:order_dispatched", "audience": "power_suspended"}
    assert "audience" in client_for("huanghuiyun").post(NEW, form).context["form"].errors


def test_the_federation_reaches_one_group_of_its_members_by_name(client_for: Any, demo_volunteers: Any) -> None:
    federation = Organisation.objects.get(short_name="县妇联")
    channel = Channel.objects.get(organisation=federation)
    client = client_for("wuyuanzi")
    assert "delivery_shops" not in {a.key for a in recipients.offered_to(demo_volunteers["wuyuanzi"])}
    template = f"{channel.pk}:volunteer_duty"
    chosen = client.get(NEW, {"template": template, "audience": "volunteer_members"}).context["form"]
    villages = Region.objects.filter(pk__in=[value for value, _label in chosen.fields["filter_village"].choices[1:]])
    assert villages and all(v.code.startswith("331126") for v in villages)  # Qingyuan's, where her teams are
    members = Member.objects.filter(team__organisation=federation, team__is_active=True, left_on__isnull=True)
    assert chosen.fields["param_name"].disabled and chosen.fields["param_team"].disabled
    form = {
        "title": "爱心帮扶组值班",
        "template": template,
        "audience": "volunteer_members",
        "filter_group": "care",
        "param_link": "https://example.org/duty",
    }
    preview = client.post(NEW, form).context["preview"]
    care = members.filter(group="care").exclude(mobile="").order_by("team__name", "name")
    assert preview["count"] == len(set(care.values_list("mobile", flat=True))) > 0
    first = care.first()
    assert first is not None
    assert preview["text"].startswith(f"{first.name}，{first.team.name}的值班表")


def test_the_bureau_reaches_its_network_points_staff(demo: Any) -> None:
    found = recipients.resolve(demo["huanghuiyun"], "site_staff", {})
    assert {(r.address, r.values["name"], r.values["site"]) for r in found} == {
        ("+8613907960003", "胡垚", "巴邱网点"),
        ("+8613907960004", "吴自强", "巴邱网点"),
    }
    assert "site_staff" not in {a.key for a in recipients.offered_to(demo["huyao"])}  # staff manage no site


def test_a_coordinator_broadcasts_through_a_county_channel(client_for: Any, demo_delivery: Any) -> None:
    """Coordinators send through a platform-wide channel (made here: the demo gives them none)."""
    channel = services.save_channel(None, name="峡江县复工办短信", kind="console", rate_per_minute=600)
    services.save_template(None, channel, kind="shop_notice", text="{shop}：{notice}", parameters=["shop", "notice"])
    form = {
        "title": "复工通知",
        "template": f"{channel.pk}:shop_notice",
        "audience": "delivery_shops",
        "filter_town": "360823100",
        "param_notice": "明天恢复配送。",
    }
    client = client_for("xiajiang")
    preview = client.post(NEW, form).context["preview"]
    assert preview["count"] == Shop.objects.filter(region__code__startswith="360823100").count()
    client.post(NEW, {**form, "confirm": "1"})
    assert Message.objects.filter(channel=channel).count() == preview["count"]
