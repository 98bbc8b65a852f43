from typing import Any

from fugong.notify.kinds import label_of
from fugong.notify.models import Channel, Message

PAYLOAD = {
    "kind": "order_dispatched",
    "recipients": ["13907960101", "+86 139 0796 0102"],
    "parameters": {"eta": "今天"},
}


def bureau_channel() -> Channel:
    return Channel.objects.get(name="峡江县局（演示控制台）")


def test_enqueue_is_idempotent_and_normalises_numbers(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    body = {**PAYLOAD, "channel_id": bureau_channel().pk, "parameters": {"shop": "店主", "eta": "今天"}}
    first = client.post("/api/notify/messages", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="b-1")
    again = client.post("/api/notify/messages", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert first.status_code == again.status_code == 202 and first.json() == {"count": 2}
    assert sorted(Message.objects.values_list("recipient", flat=True)) == ["+8613907960101", "+8613907960102"]


def test_bad_numbers_are_named_by_position(client_for: Any) -> None:
    body = {**PAYLOAD, "channel_id": bureau_channel().pk, "recipients": ["13907960101", "0796-3662000"]}
    response = client_for("huanghuiyun").post("/api/notify/messages", body, content_type="application/json")
    assert response.status_code == 422 and "recipients.1" in response.json()["errors"]
    assert not Message.objects.exists()


def test_volunteers_and_other_organisations_cannot_send(client_for: Any) -> None:
    body = {**PAYLOAD, "channel_id": bureau_channel().pk, "parameters": {"shop": "x", "eta": "y"}}
    for username in ("laoyan", "qy_power"):
        response = client_for(username).post("/api/notify/messages", body, content_type="application/json")
        assert response.status_code == 404, username
    assert not Message.objects.exists()


def test_status_shows_history_and_masks_for_non_managers(client_for: Any, demo: Any) -> None:
    from fugong.notify import services
    from fugong.notify.sending import dispatch

    services.enqueue(
        demo["huyao"], bureau_channel(), "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"}
    )
    dispatch(bureau_channel())
    message = Message.objects.get()
    staff_view = client_for("huyao").get(f"/api/notify/messages/{message.pk}").json()
    admin_view = client_for("huanghuiyun").get(f"/api/notify/messages/{message.pk}").json()
    assert staff_view["recipient"] == "139****0101" and admin_view["recipient"] == "+8613907960101"
    assert [e["status"] for e in admin_view["events"]] == ["sent"]
    assert admin_view["kind_label"] == label_of("order_dispatched") != "order_dispatched"  # in words
    assert client_for("qy_power").get(f"/api/notify/messages/{message.pk}").status_code == 404
