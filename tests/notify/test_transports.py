"""Each channel against a local fake provider that checks the documented request."""

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from fugong.notify import services
from fugong.notify.models import Channel, Message, MessageStatus
from fugong.notify.sending import claim, dispatch
from fugong.notify.transports import aliyun, dingtalk, tencent

from .fake_provider import FakeProvider, fake_provider

SHOPS = ["+8613907960101", "+8613907960102", "+8613907960103"]


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def channel_for(kind: str, provider: FakeProvider, *, secret: str, **options: Any) -> Channel:
    channel = services.save_channel(
        None, name=kind, kind=kind, options={"endpoint": provider.url, **options}, secret=secret, rate_per_minute=10_000
    )
    services.save_template(
        None,
        channel,
        kind="order_dispatched",
        text="{shop}，您的卷烟订单预计 {eta} 送达。",
        parameters=["shop", "eta"],
        provider_template="SMS_300001" if kind == "aliyun_sms" else "1234567",
    )
    return channel


# -- the providers' published signature examples -------------------------------------------


def test_aliyun_v2_signature_matches_the_documented_example() -> None:
    parameters = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun.sign(parameters, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tencent_tc3_signature_matches_the_documented_example() -> None:
    payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    header = tencent.authorization(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        payload,
        1551113065,
        host="cvm.tencentcloudapi.com",
        service="cvm",
    )
    assert header.endswith("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    assert "Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request" in header


def test_dingtalk_signature_vector() -> None:
    assert dingtalk.signature(1577836800000, "this is secret") == "fFV9t5lBS7KH4+5B0JjR99ab+AJkXFauQXycgTkS/tc="


# -- Aliyun -------------------------------------------------------------------------------


def aliyun_signature_is_valid(query: dict[str, str], secret: str) -> bool:
    """Checked independently of the transport, from the documented algorithm."""
    params = {k: v for k, v in query.items() if k != "Signature"}
    canonical = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(params.items()))
    to_sign = "POST&%2F&" + quote(canonical, safe="-_.~")
    expected = base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
    return query["Signature"] == expected


def test_aliyun_sends_one_signed_call_for_a_broadcast(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s3cret", access_key_id="LTAI5t", sign_name="峡江烟草")
    provider.reply({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "各位店主", "eta": "今天"})
    assert dispatch(channel).sent == 3
    [request] = provider.requests
    query = request.query
    assert query["Action"] == "SendSms" and query["Version"] == "2017-05-25"
    assert query["PhoneNumbers"] == "13907960101,13907960102,13907960103"
    assert query["SignName"] == "峡江烟草" and query["TemplateCode"] == "SMS_300001"
    assert query["TemplateParam"] == '{"shop": "各位店主", "eta": "今天"}'
    assert query["AccessKeyId"] == "LTAI5t" and aliyun_signature_is_valid(query, "s3cret")
    assert query["OutId"] == Message.objects.first().claim_token
    assert set(Message.objects.values_list("provider_id", flat=True)) == {"900619746936498440^0"}


def test_aliyun_finds_the_bad_number_and_retries_throttling(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    provider.reply(
        {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},  # the batch
        {"Code": "OK", "BizId": "b1"},
        {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码天级流控"},
        {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},
    )
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    dispatch(channel)
    status = dict(Message.objects.values_list("recipient", "status"))
    assert status == {SHOPS[0]: "sent", SHOPS[1]: "queued", SHOPS[2]: "failed"}
    assert [r.query["PhoneNumbers"] for r in provider.requests][1:] == ["13907960101", "13907960102", "13907960103"]


def assert_held_by_pause(channel: Channel, *, at_least: timedelta, reason: str) -> None:
    """The channel waits; its messages are queued for when it resumes, no attempt spent."""
    channel.refresh_from_db()
    assert channel.is_paused and reason in channel.pause_reason
    assert channel.paused_until >= timezone.now() + at_least - timedelta(seconds=5)
    messages = list(Message.objects.all())
    assert {m.status for m in messages} == {MessageStatus.QUEUED}
    assert {m.attempts for m in messages} == {0}
    assert all(m.next_attempt_at >= channel.paused_until for m in messages)


def test_aliyun_broken_credentials_pause_the_channel_until_fixed(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="wrong", access_key_id="id", sign_name="签名")
    provider.reply({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    report = dispatch(channel)
    assert report.held == 3 and report.failed == 0
    assert_held_by_pause(channel, at_least=aliyun.ACCOUNT_PAUSE, reason="SignatureDoesNotMatch")
    dispatch(channel)  # paused: nothing is tried again, whatever is due
    assert len(provider.requests) == 1
    # The admin fixes the secret: saving the channel lifts the pause and the queue goes out.
    services.save_channel(None, channel, secret="right")
    provider.replies.clear()
    provider.reply({"Code": "OK", "BizId": "b2"})
    assert dispatch(channel).sent == 3
    assert not Channel.objects.get(pk=channel.pk).is_paused


def test_aliyun_empty_balance_holds_the_rest_of_a_broadcast(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    services.save_template(None, channel, kind="ping", text="测试", parameters=[], provider_template="SMS_300003")
    provider.reply({"Code": "OK", "BizId": "b1"}, {"Code": "isv.AMOUNT_NOT_ENOUGH", "Message": "账户余额不足"})
    services.enqueue(None, channel, "order_dispatched", SHOPS[:1], {"shop": "店", "eta": "明天"})
    services.enqueue(None, channel, "ping", SHOPS[1:])
    dispatch(channel)
    assert Message.objects.get(recipient=SHOPS[0]).status == MessageStatus.SENT
    held = Message.objects.exclude(recipient=SHOPS[0])
    assert {m.status for m in held} == {MessageStatus.QUEUED} and {m.attempts for m in held} == {0}
    channel.refresh_from_db()
    assert channel.is_paused and "AMOUNT_NOT_ENOUGH" in channel.pause_reason
    # Topped up: an admin resumes, and the held messages are due at once.
    services.resume_channel(None, channel)
    provider.replies.clear()
    provider.reply({"Code": "OK", "BizId": "b3"})
    assert dispatch(channel).sent == 2


def test_aliyun_number_over_its_daily_limit_waits_for_tomorrow(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    provider.reply({"Code": "isv.DAY_LIMIT_CONTROL", "Message": "触发日发送限额"})
    services.enqueue(None, channel, "order_dispatched", SHOPS[:1], {"shop": "店", "eta": "明天"})
    dispatch(channel)
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert timezone.localtime(message.next_attempt_at).date() == tomorrow
    assert not Channel.objects.get(pk=channel.pk).is_paused  # one number's limit, not the account's


def test_aliyun_interrupted_send_is_settled_by_query_send_details(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    services.enqueue(None, channel, "order_dispatched", SHOPS[:2], {"shop": "店", "eta": "明天"})
    token, _batch = claim(channel, 10)
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    provider.reply(
        {"Code": "OK", "SmsSendDetailDTOs": {"SmsSendDetailDTO": [{"OutId": token, "SendStatus": 3}]}},
        {"Code": "OK", "SmsSendDetailDTOs": {"SmsSendDetailDTO": []}},
    )
    report = dispatch(channel)
    # Found: sent. Not (yet) found proves nothing, as records appear late: uncertain, not resent.
    assert report.reconciled == {"sent": 1, "uncertain": 1} and report.sent == 0
    assert [r.query["Action"] for r in provider.requests] == ["QuerySendDetails", "QuerySendDetails"]
    assert {r.query["SendDate"] for r in provider.requests} == {timezone.localdate().strftime("%Y%m%d")}


def test_sending_logs_no_phone_number_or_key(provider: FakeProvider, db: Any, caplog: pytest.LogCaptureFixture) -> None:
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # the production logging, as configured
    caplog.set_level(logging.DEBUG, logger="fugong")
    channel = channel_for("aliyun_sms", provider, secret="s3cret", access_key_id="LTAI5tKEY", sign_name="签名")
    provider.reply({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "flow control"})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    dispatch(channel)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "13907960101" not in logged and "LTAI5tKEY" not in logged and "s3cret" not in logged


# -- Tencent ------------------------------------------------------------------------------


def test_tencent_sends_signed_positional_parameters_and_reads_each_number(provider: FakeProvider, db: Any) -> None:
    channel = channel_for(
        "tencent_sms",
        provider,
        secret="tc-key",
        secret_id="AKIDtest",
        sms_sdk_app_id="1400006666",
        sign_name="庆元供电",
    )
    provider.reply(
        {
            "Response": {
                "SendStatusSet": [
                    {"PhoneNumber": SHOPS[0], "Code": "Ok", "SerialNo": "5000:1"},
                    {"PhoneNumber": SHOPS[1], "Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "bad"},
                    {"PhoneNumber": SHOPS[2], "Code": "LimitExceeded.PhoneNumberThirtySecondLimit", "Message": "30s"},
                ],
                "RequestId": "r",
            }
        }
    )
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "浙江金辉木业", "eta": "今天下午"})
    dispatch(channel)
    [request] = provider.requests
    body = request.json()
    assert body["PhoneNumberSet"] == SHOPS and body["TemplateId"] == "1234567"
    assert body["TemplateParamSet"] == ["浙江金辉木业", "今天下午"]  # in the template's parameter order
    assert body["SmsSdkAppId"] == "1400006666" and body["SignName"] == "庆元供电"
    headers = request.headers
    assert (headers["x-tc-action"], headers["x-tc-version"]) == ("SendSms", "2021-01-11")
    expected = tencent.authorization("AKIDtest", "tc-key", request.body.decode(), int(headers["x-tc-timestamp"]))
    assert headers["authorization"] == expected
    status = dict(Message.objects.values_list("recipient", "status"))
    assert status == {SHOPS[0]: "sent", SHOPS[1]: "failed", SHOPS[2]: "queued"}


def test_tencent_auth_failure_pauses_the_channel(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("tencent_sms", provider, secret="x", secret_id="id", sms_sdk_app_id="1", sign_name="s")
    provider.reply({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "no"}, "RequestId": "r"}})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    dispatch(channel)
    assert_held_by_pause(channel, at_least=tencent.ACCOUNT_PAUSE, reason="AuthFailure.SignatureFailure")


def test_tencent_internal_error_may_have_sent_so_it_is_not_resent(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("tencent_sms", provider, secret="x", secret_id="id", sms_sdk_app_id="1", sign_name="s")
    provider.reply({"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "timeout"}, "RequestId": "r"}})
    services.enqueue(None, channel, "order_dispatched", SHOPS[:2], {"shop": "店", "eta": "明天"})
    dispatch(channel)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.UNCERTAIN}


def test_tencent_number_limits_wait_their_window(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("tencent_sms", provider, secret="x", secret_id="id", sms_sdk_app_id="1", sign_name="s")
    provider.reply(
        {
            "Response": {
                "SendStatusSet": [
                    {"PhoneNumber": SHOPS[0], "Code": "LimitExceeded.PhoneNumberOneHourLimit", "Message": "1h"},
                    {"PhoneNumber": SHOPS[1], "Code": "Ok", "SerialNo": "s2"},
                ],
                "RequestId": "r",
            }
        }
    )
    services.enqueue(None, channel, "order_dispatched", SHOPS[:2], {"shop": "店", "eta": "明天"})
    dispatch(channel)
    limited = Message.objects.get(recipient=SHOPS[0])
    assert limited.status == MessageStatus.QUEUED
    assert limited.next_attempt_at >= timezone.now() + timedelta(minutes=59)
    assert Message.objects.get(recipient=SHOPS[1]).status == MessageStatus.SENT


def test_tencent_app_daily_limit_pauses_until_tomorrow(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("tencent_sms", provider, secret="x", secret_id="id", sms_sdk_app_id="1", sign_name="s")
    provider.reply({"Response": {"Error": {"Code": "LimitExceeded.AppDailyLimit", "Message": "day"}, "RequestId": "r"}})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    dispatch(channel)
    channel.refresh_from_db()
    assert timezone.localtime(channel.paused_until).date() == timezone.localdate() + timedelta(days=1)


# -- robots -------------------------------------------------------------------------------


def test_wecom_robot_mentions_the_recipient_and_backs_off_when_throttled(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("wecom_robot", provider, secret="robot-key")
    provider.reply({"errcode": 0, "errmsg": "ok"}, {"errcode": 45009, "errmsg": "api freq out of limit"})
    services.enqueue(None, channel, "order_dispatched", SHOPS[:2], {"shop": "老严", "eta": "七点前"})
    dispatch(channel)
    first = provider.requests[0]
    assert first.query == {"key": "robot-key"}
    assert first.json() == {
        "msgtype": "text",
        "text": {"content": "老严，您的卷烟订单预计 七点前 送达。", "mentioned_mobile_list": ["13907960101"]},
    }
    assert dict(Message.objects.values_list("recipient", "status")) == {SHOPS[0]: "sent", SHOPS[1]: "queued"}


def test_wecom_invalid_webhook_pauses_the_channel(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("wecom_robot", provider, secret="gone")
    provider.reply({"errcode": 93000, "errmsg": "invalid webhook url"})
    services.enqueue(None, channel, "order_dispatched", [""], {"shop": "各位", "eta": "今天"})
    dispatch(channel)
    assert_held_by_pause(channel, at_least=timedelta(minutes=30), reason="93000")


def test_dingtalk_muted_robot_waits_ten_minutes(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("dingtalk_robot", provider, secret="SECabc", access_token="tok")
    provider.reply({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "今天"})
    dispatch(channel)
    assert len(provider.requests) == 1  # the rest of the batch is not thrown at a muted robot
    assert_held_by_pause(channel, at_least=timedelta(minutes=10), reason="130101")


def test_dingtalk_robot_signs_each_call(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("dingtalk_robot", provider, secret="SECabc", access_token="tok")
    provider.reply({"errcode": 0, "errmsg": "ok"})
    services.enqueue(None, channel, "order_dispatched", SHOPS[:1], {"shop": "何娣", "eta": "八点"})
    dispatch(channel)
    [request] = provider.requests
    assert request.query["access_token"] == "tok"
    assert request.query["sign"] == dingtalk.signature(int(request.query["timestamp"]), "SECabc")
    assert request.json()["at"] == {"atMobiles": ["13907960101"], "isAtAll": False}
    assert Message.objects.get().status == MessageStatus.SENT


def test_an_unreachable_provider_is_a_transient_failure(db: Any) -> None:
    channel = services.save_channel(
        None, name="down", kind="wecom_robot", options={"endpoint": "http://127.0.0.1:9/"}, secret="k"
    )
    services.save_template(None, channel, kind="ping", text="ping", parameters=[])
    services.enqueue(None, channel, "ping", [""])
    dispatch(channel)
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED and message.next_attempt_at > timezone.now()


def test_sms_calls_never_mix_message_kinds(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    services.save_template(
        None, channel, kind="revisit_due", text="回访提醒", parameters=[], provider_template="SMS_300002"
    )
    services.save_template(None, channel, kind="ping", text="测试", parameters=[], provider_template="SMS_300003")
    provider.reply({"Code": "OK", "BizId": "b"})
    services.enqueue(None, channel, "revisit_due", SHOPS[:1])
    services.enqueue(None, channel, "ping", SHOPS[1:2])
    dispatch(channel)
    assert sorted(r.query["TemplateCode"] for r in provider.requests) == ["SMS_300002", "SMS_300003"]


def test_a_failure_mid_batch_keeps_what_was_delivered_and_timeouts_are_not_resent(
    provider: FakeProvider, db: Any
) -> None:
    channel = channel_for("wecom_robot", provider, secret="k")
    provider.reply({"errcode": 0, "errmsg": "ok"})
    provider.reply({"errcode": -1}, status=502)  # the request left; the answer is lost
    provider.reply({"errcode": 0, "errmsg": "ok"})
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "今天"})
    dispatch(channel)
    assert dict(Message.objects.values_list("recipient", "status")) == {
        SHOPS[0]: "sent",
        SHOPS[1]: "uncertain",  # may have been posted: a person decides, no automatic resend
        SHOPS[2]: "sent",
    }


def test_robot_channels_keep_the_robots_own_limit(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("wecom_robot", provider, secret="k")  # channel says 10,000 a minute
    provider.reply({"errcode": 0, "errmsg": "ok"})
    services.enqueue(
        None, channel, "order_dispatched", [f"+86139079603{i:02d}" for i in range(25)], {"shop": "店", "eta": "今天"}
    )
    dispatch(channel, budget_seconds=0.5)
    assert len(provider.requests) == 20


def test_a_number_found_bad_one_by_one_then_an_empty_account_keeps_what_went_out(
    provider: FakeProvider, db: Any
) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    provider.reply(
        {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},  # the shared call
        {"Code": "OK", "BizId": "b1"},  # the first number alone
        {"Code": "isv.AMOUNT_NOT_ENOUGH", "Message": "账户余额不足"},  # then the money runs out
    )
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    report = dispatch(channel)
    assert (report.sent, report.held) == (1, 2)
    assert Message.objects.get(recipient=SHOPS[0]).status == MessageStatus.SENT  # never sent twice


def test_tencent_balance_reported_per_number_pauses_the_channel(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("tencent_sms", provider, secret="x", secret_id="id", sms_sdk_app_id="1", sign_name="s")
    empty = {"Code": "FailedOperation.InsufficientBalanceInSmsPackage", "Message": "no package"}
    provider.reply(
        {
            "Response": {
                "SendStatusSet": [
                    {"PhoneNumber": SHOPS[0], "Code": "Ok", "SerialNo": "s1"},
                    {"PhoneNumber": SHOPS[1], **empty},
                    {"PhoneNumber": SHOPS[2], **empty},
                ],
                "RequestId": "r",
            }
        }
    )
    services.enqueue(None, channel, "order_dispatched", SHOPS, {"shop": "店", "eta": "明天"})
    dispatch(channel)
    assert Message.objects.get(recipient=SHOPS[0]).status == MessageStatus.SENT
    held = Message.objects.exclude(recipient=SHOPS[0])
    assert {m.status for m in held} == {MessageStatus.QUEUED} and {m.attempts for m in held} == {0}
    assert Channel.objects.get(pk=channel.pk).is_paused


def test_waiting_out_a_numbers_limit_spends_no_attempt(provider: FakeProvider, db: Any, settings: Any) -> None:
    channel = channel_for("aliyun_sms", provider, secret="s", access_key_id="id", sign_name="签名")
    provider.reply({"Code": "isv.DAY_LIMIT_CONTROL", "Message": "触发日发送限额"})
    services.enqueue(None, channel, "order_dispatched", SHOPS[:1], {"shop": "店", "eta": "明天"})
    Message.objects.update(attempts=settings.NOTIFY_MAX_ATTEMPTS - 1)  # its last attempt
    dispatch(channel)
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED and message.attempts == settings.NOTIFY_MAX_ATTEMPTS - 1


def test_robot_mentions_honour_opt_outs(provider: FakeProvider, db: Any) -> None:
    channel = channel_for("wecom_robot", provider, secret="k")
    provider.reply({"errcode": 0, "errmsg": "ok"})
    services.opt_out(None, "13907960101")
    services.enqueue(None, channel, "order_dispatched", ["13907960101"], {"shop": "店", "eta": "今天"})
    dispatch(channel)
    assert Message.objects.get().status == MessageStatus.SKIPPED and not provider.requests
