from datetime import timedelta
from typing import Any

from django.utils import timezone

from fugong.accounts.models import AuditEntry
from fugong.notify import services
from fugong.notify.models import Channel, Message, MessageStatus, OptOut
from fugong.notify.sending import claim, dispatch, pause_channel


def bureau() -> Channel:
    return Channel.objects.get(name="峡江县局（演示控制台）")


def test_outbox_lists_masked_numbers_and_the_channels_manager_opens_one_in_full(client_for: Any, demo: Any) -> None:
    services.enqueue(demo["huyao"], bureau(), "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"})
    listing = client_for("huanghuiyun").get("/notify/").content.decode()
    assert "13907960101" not in listing and "139****0101" in listing
    message = Message.objects.get()
    assert "13907960101" in client_for("huanghuiyun").get(f"/notify/messages/{message.pk}/").content.decode()
    assert "13907960101" not in client_for("huyao").get(f"/notify/messages/{message.pk}/").content.decode()
    coordinator = client_for("xiajiang").get("/notify/").content.decode()
    assert "13907960101" not in coordinator  # a coordinator sees only channels it manages or its own sends
    assert client_for("laoyan").get("/notify/").status_code == 403


def test_channel_secret_is_never_shown_back(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    response = client.post(
        f"/notify/channels/{bureau().pk}/edit/",
        {
            "name": bureau().name,
            "kind": "console",
            "options": "{}",
            "secret": "LTAI-super-secret-key",
            "rate_per_minute": 600,
            "daily_quota_per_recipient": 20,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/notify/channels/{bureau().pk}/").content.decode()
    assert "super-secret" not in page and "LTA…ey" in page
    edit = client.get(f"/notify/channels/{bureau().pk}/edit/").content.decode()
    assert "super-secret" not in edit
    assert AuditEntry.objects.filter(action="channel.update").latest("pk").changes["secret"] == ["***", "***"]


def test_send_a_test_from_the_channel_page(client_for: Any, demo: Any) -> None:
    client = client_for("huanghuiyun")
    client.post(f"/notify/channels/{bureau().pk}/", {"send_test": "1", "recipient": "139 0796 0002"})
    message = Message.objects.get(kind="channel_test")
    assert message.recipient == "+8613907960002" and "可以正常发送" in message.body
    dispatch(bureau())
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_template_with_an_undeclared_parameter_is_refused_on_the_page(client_for: Any) -> None:
    response = client_for("huanghuiyun").post(
        f"/notify/channels/{bureau().pk}/",
        {"save_template": "1", "kind": "eta_changed", "text": "{shop} 的送达时间改为 {eta}", "parameters": "shop"},
    )
    assert response.status_code == 200 and response.context["template_form"].errors
    assert not bureau().templates.filter(kind="eta_changed").exists()


def test_a_person_decides_to_resend_an_uncertain_message(client_for: Any, demo: Any) -> None:
    services.enqueue(None, bureau(), "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"})
    claim(bureau(), 10)  # a worker took it, then died; the provider could not say
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1), status=MessageStatus.UNCERTAIN)
    message = Message.objects.get()
    assert client_for("huyao").post(f"/notify/messages/{message.pk}/").status_code == 404  # not theirs
    client_for("huanghuiyun").post(f"/notify/messages/{message.pk}/")
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert AuditEntry.objects.filter(action="message.resend").exists()


def test_broadcast_is_previewed_then_sent_and_its_progress_followed(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    form = {
        "title": "复工送货通知",
        "template": f"{bureau().pk}:order_dispatched",
        "audience": "people",
        "param_shop": "各位店主",
        "param_eta": "今天下午",
    }
    preview = client.post("/notify/broadcasts/new/", form)
    assert preview.context["preview"]["count"] == 4  # the bureau's four people with a mobile
    assert "各位店主，您订购的卷烟已排入今日配送，预计 今天下午 送达" in preview.content.decode()
    assert not Message.objects.exists()  # nothing is sent from a preview

    response = client.post("/notify/broadcasts/new/", {**form, "confirm": "1"})
    broadcast_url = response.url
    assert Message.objects.filter(broadcast__isnull=False, status=MessageStatus.QUEUED).count() == 4
    polling = client.get(broadcast_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in polling and 'data-pending="4"' in polling
    dispatch(bureau())
    done = client.get(broadcast_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and 'data-pending="0"' in done


def test_a_broadcast_parameter_left_empty_is_named_on_its_field(client_for: Any) -> None:
    form = {"title": "t", "template": f"{bureau().pk}:order_dispatched", "audience": "people", "param_shop": "店"}
    response = client_for("huanghuiyun").post("/notify/broadcasts/new/", form)
    assert list(response.context["form"].errors) == ["param_eta"]
    assert not Message.objects.exists()


def test_robot_keys_in_options_are_never_shown_or_audited(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    form = {
        "name": "钉钉群",
        "kind": "dingtalk_robot",
        "options": '{"access_token": "tok-very-secret"}',
        "secret": "SEC123",
        "rate_per_minute": 20,
        "daily_quota_per_recipient": 20,
        "is_active": "on",
    }
    channel_url = client.post("/notify/channels/new/", form).url
    channel = Channel.objects.get(name="钉钉群")
    edit = client.get(f"/notify/channels/{channel.pk}/edit/").content.decode()
    assert "tok-very-secret" not in edit and "***" in edit
    client.post(f"/notify/channels/{channel.pk}/edit/", {**form, "options": '{"access_token": "***"}', "secret": ""})
    channel.refresh_from_db()
    assert channel.options["access_token"] == "tok-very-secret"  # *** saved back keeps the stored value
    assert "tok-very-secret" not in str(AuditEntry.objects.values_list("changes", flat=True))
    assert channel_url.endswith(f"/notify/channels/{channel.pk}/")


def test_volunteers_of_an_organisation_cannot_send_through_its_channels(demo: Any) -> None:
    from fugong.notify.queries import usable_channels

    assert not usable_channels(demo["laoyan"]).exists()
    assert usable_channels(demo["huyao"]).filter(pk=bureau().pk).exists()  # staff may


def test_opt_outs_are_recorded_masked_and_honoured(client_for: Any, demo: Any) -> None:
    client = client_for("xiajiang")
    response = client.post("/notify/opt-outs/", {"recipient": "139 0796 0101", "channel_kind": "", "note": "电话要求"})
    assert response.status_code == 302
    page = client.get("/notify/opt-outs/").content.decode()
    assert "13907960101" not in page and "139****0101" in page
    # A full number finds its entry; a number not on the list says so. The search is posted, so the
    # number is in no URL; posting it records nothing.
    assert "电话要求" in client.post("/notify/opt-outs/", {"q": "13907960101"}).content.decode()
    missing = client.post("/notify/opt-outs/", {"q": "13907960102"}).content.decode()
    assert "电话要求" not in missing and "13907960102" in missing and OptOut.objects.count() == 1
    assert 'class="search" method="post"' in page
    services.enqueue(demo["huyao"], bureau(), "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"})
    dispatch(bureau())
    assert Message.objects.get().status == MessageStatus.SKIPPED
    entry = OptOut.objects.get()
    client.post(f"/notify/opt-outs/{entry.pk}/cancel/")
    assert not OptOut.objects.exists()
    assert AuditEntry.objects.filter(action="notify.opt_out_cancel").exists()


def test_a_bad_opt_out_number_is_named_on_the_form(client_for: Any) -> None:
    response = client_for("xiajiang").post("/notify/opt-outs/", {"recipient": "0796-3662000", "channel_kind": ""})
    assert response.status_code == 200 and not OptOut.objects.exists()
    assert response.context["form"].errors["recipient"]


def test_opt_out_api_is_harmless_to_repeat(client_for: Any) -> None:
    client = client_for("huanghuiyun")
    body = {"recipient": "13907960101", "channel_kind": "aliyun_sms"}
    first = client.post("/api/notify/opt-outs", body, content_type="application/json")
    again = client.post("/api/notify/opt-outs", body, content_type="application/json")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert OptOut.objects.get().recipient == "+8613907960101"
    bad = client.post("/api/notify/opt-outs", {**body, "channel_kind": "fax"}, content_type="application/json")
    assert bad.status_code == 422 and "channel_kind" in bad.json()["errors"]
    assert client_for("laoyan").post("/api/notify/opt-outs", body, content_type="application/json").status_code == 403
    assert client.delete(f"/api/notify/opt-outs/{first.json()['id']}").status_code == 204
    assert not OptOut.objects.exists()


def test_a_paused_channel_is_flagged_and_can_be_resumed(client_for: Any, demo: Any) -> None:
    channel = bureau()
    services.enqueue(demo["huyao"], channel, "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"})
    token, _batch = claim(channel, 10)
    pause_channel(channel, token, "isv.AMOUNT_NOT_ENOUGH: 账户余额不足", timedelta(minutes=30))
    client = client_for("huanghuiyun")
    assert "isv.AMOUNT_NOT_ENOUGH" in client.get(f"/notify/channels/{channel.pk}/").content.decode()
    assert channel.name in client.get("/notify/").content.decode()  # the outbox names the paused channel
    assert dispatch(bureau()).sent == 0  # nothing goes out while paused
    client.post(f"/notify/channels/{channel.pk}/", {"resume": "1"})
    assert not bureau().is_paused
    assert dispatch(bureau()).sent == 1
    assert AuditEntry.objects.filter(action="channel.resume").exists()


def test_engine_reasons_are_shown_in_the_users_language(client_for: Any, demo: Any) -> None:
    services.opt_out(None, "+8613907960101")
    services.enqueue(demo["huyao"], bureau(), "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"})
    dispatch(bureau())
    message = Message.objects.get()
    assert message.error == "opted out"  # stored in one language, shown in the reader's
    page = client_for("huanghuiyun").get(f"/notify/messages/{message.pk}/").content.decode()
    assert "已退订" in page


def test_only_whoever_took_an_opt_out_may_lift_it_and_the_audit_masks_it(client_for: Any, demo: Any) -> None:
    entry = services.opt_out(demo["huanghuiyun"], "13907960101", note="店主电话要求")
    other = client_for("wuyuanzi")  # another organisation's administrator
    assert "店主电话要求" not in other.get("/notify/opt-outs/").content.decode()
    assert other.post(f"/notify/opt-outs/{entry.pk}/cancel/").status_code == 404
    assert client_for("huanghuiyun").post(f"/notify/opt-outs/{entry.pk}/cancel/").status_code == 302
    shown = set(AuditEntry.objects.filter(action__startswith="notify.opt_out").values_list("object_repr", flat=True))
    assert shown == {"139****0101"}


def test_resuming_twice_is_harmless(client_for: Any, demo: Any) -> None:
    channel = bureau()
    token, _batch = claim(channel, 10)
    pause_channel(channel, token, "isv.OUT_OF_SERVICE: 业务停机", timedelta(minutes=30))
    client = client_for("huanghuiyun")
    assert client.post(f"/notify/channels/{channel.pk}/", {"resume": "1"}).status_code == 302
    assert client.post(f"/notify/channels/{channel.pk}/", {"resume": "1"}).status_code == 302
    assert AuditEntry.objects.filter(action="channel.resume").count() == 1


def test_a_countys_opt_outs_are_that_countys_to_list_and_lift(client_for: Any, demo: Any) -> None:
    """Qingyuan's coordinator takes an opt-out: Xiajiang's coordinator neither lists nor lifts it
    (page or API), the city office over Qingyuan may, and it is honoured everywhere regardless."""
    qingyuan = client_for("qingyuan")
    response = qingyuan.post("/notify/opt-outs/", {"recipient": "13905780111", "channel_kind": "", "note": "庆元来电"})
    assert response.status_code == 302
    entry = OptOut.objects.get()
    xiajiang = client_for("xiajiang")
    assert "庆元来电" not in xiajiang.get("/notify/opt-outs/").content.decode()
    assert xiajiang.delete(f"/api/notify/opt-outs/{entry.pk}").status_code == 404
    assert xiajiang.post(f"/notify/opt-outs/{entry.pk}/cancel/").status_code == 404
    assert OptOut.objects.filter(pk=entry.pk).exists()
    assert "庆元来电" in client_for("lishui").get("/notify/opt-outs/").content.decode()
    assert qingyuan.delete(f"/api/notify/opt-outs/{entry.pk}").status_code == 204


def test_a_companys_staff_read_its_messages_with_the_numbers_masked(client_for: Any, demo: Any) -> None:
    """The hall supervisor reads what her customers were told; she does not manage the channel,
    so every number (the recipient's, and one in the text) is masked, and she sends nothing."""
    power = Channel.objects.get(name="国网庆元县供电公司（演示控制台）")
    services.save_template(None, power, kind="power_note", text="请联系{phone}", parameters=["phone"])
    services.enqueue(None, power, "power_note", ["+8613905786001"], {"phone": "05786221234"})
    services.enqueue(demo["huyao"], bureau(), "order_dispatched", ["+8613907960101"], {"shop": "店", "eta": "今天"})
    supervisor = client_for("hufenfen")
    listing = supervisor.get("/notify/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "139****6001" in text and "13905786001" not in text
    assert "139****0101" not in text  # the tobacco bureau's message is not hers
    assert "/notify/broadcasts/new/" not in text  # she reads; broadcasts are for administrators
    message = Message.objects.get(kind="power_note")
    detail = supervisor.get(f"/notify/messages/{message.pk}/").content.decode()
    assert "请联系057****1234" in detail and "05786221234" not in detail and "13905786001" not in detail
    assert "05786221234" in client_for("qy_power").get(f"/notify/messages/{message.pk}/").content.decode()
    assert supervisor.get("/notify/broadcasts/new/").status_code == 403
    other = Message.objects.get(kind="order_dispatched")
    assert supervisor.get(f"/notify/messages/{other.pk}/").status_code == 404
