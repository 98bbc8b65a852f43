"""DingTalk custom robot with signing: timestamp (ms) and HMAC-SHA256 of "ts\\nsecret"."""

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import quote_plus

from . import Outgoing
from .robots import GroupRobot, mention

WEBHOOK = "https://oapi.dingtalk.com/robot/send"


def signature(timestamp_ms: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingtalkRobotTransport(GroupRobot):
    permanent_codes = frozenset({300001, 300005})
    broken_codes = frozenset({310000})
    # Over 20 a minute, DingTalk mutes the robot for 10 minutes.
    muted_codes: ClassVar[dict[int, timedelta]] = {130101: timedelta(minutes=10)}

    def __init__(self, options: dict[str, Any], secret: str) -> None:
        self.webhook = options.get("endpoint") or WEBHOOK
        self.access_token = options.get("access_token", "")
        self.secret = secret

    def url(self) -> str:
        timestamp = int(time.time() * 1000)
        return (
            f"{self.webhook}?access_token={self.access_token}"
            f"&timestamp={timestamp}&sign={quote_plus(signature(timestamp, self.secret))}"
        )

    def body(self, message: Outgoing) -> dict[str, Any]:
        mobiles = mention(message.recipient)
        content = message.body + "".join(f" @{m}" for m in mobiles)
        return {"msgtype": "text", "text": {"content": content}, "at": {"atMobiles": mobiles, "isAtAll": False}}
