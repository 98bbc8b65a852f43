"""The outbox in words: message kinds by their names, filters by kind, channel, state and
organisation, and an organisation's staff reading their organisation's messages."""

from typing import Any

from fugong.directory.models import Organisation
from fugong.notify import services
from fugong.notify.kinds import label_of
from fugong.notify.models import Channel, Message, MessageStatus


def channels() -> tuple[Channel, Channel]:
    return (
        Channel.objects.get(name="峡江县局（演示控制台）"),
        Channel.objects.get(name="国网庆元县供电公司（演示控制台）"),
    )


def some_messages(demo: Any) -> None:
    bureau, power = channels()
    shop = {"shop": "胡记百货店", "eta": "明天上午"}
    services.enqueue(demo["huanghuiyun"], bureau, "order_dispatched", ["+8613907960101"], shop)
    services.enqueue(demo["huanghuiyun"], bureau, "order_near", ["+8613907960102"], shop)
    services.save_template(None, power, kind="power_note", text="停电通知", parameters=[])
    services.enqueue(None, power, "power_note", ["+8613905786001"], {})
    Message.objects.filter(kind="order_near").update(status=MessageStatus.FAILED)


def rows(response: Any) -> list[tuple[str, str]]:
    return [(m.kind, m.channel.name) for m in response.context["page"]]


def test_kinds_are_chosen_by_their_names_and_filter_the_outbox(client_for: Any, demo: Any) -> None:
    some_messages(demo)
    client = client_for("huanghuiyun")
    form = client.get("/notify/").context["form"]
    kinds = dict(form.fields["kind"].choices)
    assert kinds == {"": "—", "order_dispatched": label_of("order_dispatched"), "order_near": label_of("order_near")}
    assert label_of("order_dispatched") != "order_dispatched"  # a name in words, not the code
    page = client.get("/notify/", {"kind": "order_near"})
    assert rows(page) == [("order_near", "峡江县局（演示控制台）")]
    assert rows(client.get("/notify/", {"status": "queued"})) == [("order_dispatched", "峡江县局（演示控制台）")]
    assert "kind" in client.get("/notify/", {"kind": "power_note"}).context["form"].errors  # not hers to pick


def test_who_sees_everything_filters_by_organisation_and_channel(client_for: Any, demo: Any) -> None:
    some_messages(demo)
    bureau, power = channels()
    client = client_for("admin")
    form = client.get("/notify/").context["form"]
    organisations = dict(form.fields["organisation"].choices)
    company = Organisation.objects.get(short_name="国网庆元县供电公司")
    assert organisations[str(company.pk)] == str(company)
    assert rows(client.get("/notify/", {"organisation": company.pk})) == [("power_note", power.name)]
    on_bureau = rows(client.get("/notify/", {"channel": bureau.pk}))
    assert {kind for kind, _ in on_bureau} == {"order_dispatched", "order_near"}
    both = client.get("/notify/", {"channel": bureau.pk, "status": "failed"})
    assert rows(both) == [("order_near", bureau.name)]


def test_the_organisations_staff_read_its_messages_in_words(client_for: Any, demo: Any) -> None:
    some_messages(demo)
    listing = client_for("huyao").get("/notify/")  # staff at the bureau's network point
    assert {kind for kind, _ in rows(listing)} == {"order_dispatched", "order_near"}
    text = listing.content.decode()
    assert f">{label_of('order_near')}<" in text and ">order_near<" not in text
    assert "139****0101" in text and "13907960101" not in text
