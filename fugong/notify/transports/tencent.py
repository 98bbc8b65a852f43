"""SMS through Tencent Cloud (sms.tencentcloudapi.com, 2021-01-11) with TC3-HMAC-SHA256.

Up to 200 numbers a call, positional template parameters, one result per number;
SessionContext carries our claim token.
"""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from . import ChannelPaused, DeliveryUnknown, Outcome, Outgoing, until_tomorrow
from .http import SharedCallSms, post

HOST = "sms.tencentcloudapi.com"
SERVICE = "sms"
MAX_NUMBERS = 200
CONTENT_TYPE = "application/json; charset=utf-8"
PERMANENT_PREFIXES = (
    "InvalidParameterValue.",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberOnBlacklist",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.ContainSensitiveWord",
    "UnsupportedOperation.",
    "MissingParameter.",
)
# The account cannot send (credentials, arrears, package used up): the channel waits for an admin.
ACCOUNT_PAUSE = timedelta(minutes=30)
ACCOUNT_PREFIXES = ("AuthFailure", "UnauthorizedOperation", "FailedOperation.InsufficientBalanceInSmsPackage")
# Limits on one number: try that number again once the window has passed.
NUMBER_LIMITS = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": lambda: timedelta(seconds=30),
    "LimitExceeded.PhoneNumberOneHourLimit": lambda: timedelta(hours=1),
    "LimitExceeded.PhoneNumberDailyLimit": until_tomorrow,
}


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def authorization(
    secret_id: str,
    secret_key: str,
    payload: str,
    timestamp: int,
    *,
    host: str = HOST,
    service: str = SERVICE,
    content_type: str = CONTENT_TYPE,
) -> str:
    """The TC3-HMAC-SHA256 Authorization header for a JSON POST to `/`."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class TencentSmsTransport(SharedCallSms):
    numbers_per_call = MAX_NUMBERS

    def __init__(self, options: dict[str, Any], secret: str) -> None:
        self.secret_id = options.get("secret_id", "")
        self.app_id = options.get("sms_sdk_app_id", "")
        self.sign_name = options.get("sign_name", "")
        self.region = options.get("region", "ap-guangzhou")
        self.endpoint = options.get("endpoint") or f"https://{HOST}/"
        self.secret = secret

    def send(self, part: list[Outgoing]) -> list[Outcome]:
        first = part[0]
        body = {
            "PhoneNumberSet": [m.recipient for m in part],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": first.provider_template,
            "TemplateParamSet": [str(first.parameters.get(name, "")) for name in first.parameter_order],
            "SessionContext": first.reference,
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        timestamp = int(time.time())
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Host": HOST,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "Authorization": authorization(self.secret_id, self.secret, payload, timestamp),
        }
        answer = post(self.endpoint, content=payload.encode(), headers=headers).get("Response", {})
        if "Error" in answer:
            code = answer["Error"].get("Code", "")
            error = f"{code}: {answer['Error'].get('Message', '')}"[:300]
            if code.startswith(ACCOUNT_PREFIXES):
                raise ChannelPaused(error, ACCOUNT_PAUSE)
            if code == "LimitExceeded.AppDailyLimit":  # the whole application's daily allowance is spent
                raise ChannelPaused(error, until_tomorrow())
            if code.startswith("InternalError"):  # the provider failed mid-call: it may have sent
                raise DeliveryUnknown(error)
            return [Outcome(m.id, False, error=error, permanent=code.startswith(PERMANENT_PREFIXES)) for m in part]
        by_number = {s.get("PhoneNumber"): s for s in answer.get("SendStatusSet", [])}
        outcomes = []
        account_error = ""
        for message in part:
            status = by_number.get(message.recipient, {})
            code = status.get("Code", "")
            if code.startswith(ACCOUNT_PREFIXES) or code == "LimitExceeded.AppDailyLimit":
                account_error = account_error or f"{code}: {status.get('Message', '')}"[:300]
            elif code == "Ok":
                outcomes.append(Outcome(message.id, True, provider_id=status.get("SerialNo", "")))
            elif code in NUMBER_LIMITS:
                error = f"{code}: {status.get('Message', '')}"[:300]
                outcomes.append(Outcome(message.id, False, error=error, retry_after=NUMBER_LIMITS[code]()))
            else:
                error = f"{code or 'no status'}: {status.get('Message', '')}"[:300]
                outcomes.append(Outcome(message.id, False, error=error, permanent=code.startswith(PERMANENT_PREFIXES)))
        if account_error:  # reported number by number, but it is the account that cannot send
            pause = until_tomorrow() if "AppDailyLimit" in account_error else ACCOUNT_PAUSE
            raise ChannelPaused(account_error, pause, outcomes)
        return outcomes

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
        # Receipts arrive late and absence proves nothing: leave interrupted sends to a person.
        return {m.id: None for m in batch}
