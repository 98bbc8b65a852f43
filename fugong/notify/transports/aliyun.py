"""SMS through Aliyun dysmsapi (2017-05-25), RPC style with the V2 (HMAC-SHA1) signature.

Messages with the same parameters go out in one SendSms call (up to 1000 numbers); OutId
carries our claim token so QuerySendDetails can tell, after a crash, what went out.
"""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.utils import timezone

from . import ChannelPaused, Outcome, Outgoing, until_tomorrow
from .http import SharedCallSms, post

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
MAX_NUMBERS = 1000
# Errors that no retry will cure (see PROVIDERS.md); anything else is retried with backoff.
PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SIGN_STATE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.MONTH_LIMIT_CONTROL",  # this number's monthly limit: waiting weeks helps nobody
}
# The account cannot send (credentials, subscription, balance, suspension): the channel waits
# for an admin, and its messages stay queued instead of all failing one by one.
ACCOUNT_PAUSE = timedelta(minutes=30)
ACCOUNT_ERRORS = {
    "isp.RAM_PERMISSION_DENY",
    "isv.PRODUCT_UN_SUBSCRIPT",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId.NotFound",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
    "isv.ACCOUNT_ABNORMAL",
}


def percent_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def sign(parameters: dict[str, str], secret: str, method: str = "POST") -> str:
    """The RPC (V2) signature of a request's parameters."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(parameters.items()))
    string_to_sign = f"{method}&%2F&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def template_parameters(message: Outgoing) -> dict[str, str]:
    """The declared parameters, in the template's order (the database may reorder JSON keys)."""
    names = message.parameter_order or tuple(sorted(message.parameters))
    return {name: str(message.parameters.get(name, "")) for name in names}


def national(number: str) -> str:
    return number[3:] if number.startswith("+86") else number.lstrip("+")


class AliyunSmsTransport(SharedCallSms):
    numbers_per_call = MAX_NUMBERS

    def __init__(self, options: dict[str, Any], secret: str) -> None:
        self.access_key_id = options.get("access_key_id", "")
        self.sign_name = options.get("sign_name", "")
        self.endpoint = options.get("endpoint") or ENDPOINT
        self.region = options.get("region", "cn-hangzhou")
        self.secret = secret

    def _call(self, action: str, business: dict[str, str]) -> dict[str, Any]:
        parameters = {
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            **business,
        }
        parameters["Signature"] = sign(parameters, self.secret)
        answer: dict[str, Any] = post(self.endpoint, params=parameters)
        return answer

    def send(self, part: list[Outgoing]) -> list[Outcome]:
        first = part[0]
        answer = self._call(
            "SendSms",
            {
                "PhoneNumbers": ",".join(national(m.recipient) for m in part),
                "SignName": self.sign_name,
                "TemplateCode": first.provider_template,
                "TemplateParam": json.dumps(template_parameters(first), ensure_ascii=False),
                "OutId": first.reference,
            },
        )
        code = answer.get("Code", "")
        if code == "OK":
            return [Outcome(m.id, True, provider_id=answer.get("BizId", "")) for m in part]
        if code in ACCOUNT_ERRORS:
            raise ChannelPaused(f"{code}: {answer.get('Message', '')}", ACCOUNT_PAUSE)
        if code == "isv.MOBILE_NUMBER_ILLEGAL" and len(part) > 1:
            return self._one_by_one(part)
        error = f"{code}: {answer.get('Message', '')}"[:300]
        if code == "isv.DAY_LIMIT_CONTROL":  # this number has had its messages for today
            return [Outcome(m.id, False, error=error, retry_after=until_tomorrow()) for m in part]
        return [Outcome(m.id, False, error=error, permanent=code in PERMANENT) for m in part]

    def _one_by_one(self, part: list[Outgoing]) -> list[Outcome]:
        """One bad number refuses the whole call: send one by one to find it. If the account
        stops mid-way, what already went out travels with the pause."""
        outcomes: list[Outcome] = []
        for message in part:
            try:
                outcomes += self.send([message])
            except ChannelPaused as pause:
                raise ChannelPaused(str(pause), pause.pause, outcomes) from None
        return outcomes

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
        """Ask QuerySendDetails, on the day of the claim, whether a message with our OutId reached
        each number. Absence proves nothing (records appear late): it answers None, not False."""
        found: dict[int, bool | None] = {}
        for message in batch:
            query = {
                "PhoneNumber": national(message.recipient),
                "SendDate": message.claimed_on or timezone.localdate().strftime("%Y%m%d"),
                "PageSize": "50",
                "CurrentPage": "1",
            }
            answer = self._call("QuerySendDetails", query)
            details = (
                answer.get("SmsSendDetailDTOs", {}).get("SmsSendDetailDTO", []) if answer.get("Code") == "OK" else []
            )
            found[message.id] = True if any(d.get("OutId") == message.reference for d in details) else None
        return found
