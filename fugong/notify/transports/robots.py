"""What the WeCom and DingTalk group robots share: one message per call to a webhook,
the recipient's mobile (if any) @-mentioned, errcode 0 for success."""

from datetime import timedelta
from typing import Any, ClassVar

from . import ChannelPaused, Outcome, Outgoing
from .http import post


class GroupRobot:
    max_batch = 20
    max_per_minute: int | None = 20  # both robots take 20 messages a minute (DingTalk then mutes for 10 minutes)
    permanent_codes: frozenset[int] = frozenset()
    broken_codes: frozenset[int] = frozenset()  # the webhook itself is wrong: wait for an admin
    muted_codes: ClassVar[dict[int, timedelta]] = {}  # too fast: the robot takes nothing for this long
    broken_pause = timedelta(minutes=30)

    def url(self) -> str:
        raise NotImplementedError

    def body(self, message: Outgoing) -> dict[str, Any]:
        raise NotImplementedError

    def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]:
        return [[message] for message in batch]  # one post per message

    def send(self, call: list[Outgoing]) -> list[Outcome]:
        [message] = call
        answer = post(self.url(), json=self.body(message))
        code = int(answer.get("errcode", -1))
        if code == 0:
            return [Outcome(message.id, True)]
        error = f"{code}: {answer.get('errmsg', '')}"[:300]
        if code in self.broken_codes:
            raise ChannelPaused(error, self.broken_pause)
        if code in self.muted_codes:
            raise ChannelPaused(error, self.muted_codes[code])
        return [Outcome(message.id, False, error=error, permanent=code in self.permanent_codes)]

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]:
        return {m.id: None for m in batch}  # a webhook keeps no record we can ask


def mention(recipient: str) -> list[str]:
    """Robots @-mention by the 11-digit number."""
    if not recipient:
        return []
    return [recipient[3:] if recipient.startswith("+86") else recipient]
