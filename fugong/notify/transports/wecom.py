"""WeCom (企业微信) group robot: POST JSON to the webhook with the robot's key."""

from datetime import timedelta
from typing import Any, ClassVar

from . import Outgoing
from .robots import GroupRobot, mention

WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
TEXT_LIMIT = 2048  # bytes


def clip(text: str, limit: int) -> str:
    encoded = text.encode()
    return text if len(encoded) <= limit else encoded[: limit - 3].decode(errors="ignore") + "…"


class WecomRobotTransport(GroupRobot):
    permanent_codes = frozenset({40008, 44004, 45002})
    broken_codes = frozenset({93000, 93004, 93008})
    # Over 20 a minute: wait for the next minute.
    muted_codes: ClassVar[dict[int, timedelta]] = {45009: timedelta(minutes=1)}

    def __init__(self, options: dict[str, Any], secret: str) -> None:
        self.webhook = options.get("endpoint") or WEBHOOK
        self.key = secret or options.get("key", "")

    def url(self) -> str:
        return f"{self.webhook}?key={self.key}"

    def body(self, message: Outgoing) -> dict[str, Any]:
        return {
            "msgtype": "text",
            "text": {"content": clip(message.body, TEXT_LIMIT), "mentioned_mobile_list": mention(message.recipient)},
        }
