"""Transports: how one kind of channel hands messages to its provider.

A transport splits a claimed batch into provider `calls` (one SMS call per template and
parameters, one robot post per message, ...); the engine sends them one at a time,
renewing its claim before each and recording each call's outcomes as soon as it returns.
`send` answers one `Outcome` per message of the call, or raises for the whole call:
`TransientError` (it did not go out: retry), `PermanentError` (never retry), or
`DeliveryUnknown` (the request left but no answer came back: it may have gone out, so it
is not retried automatically), or `ChannelPaused` (the account or webhook cannot send
anything now: no balance, suspended, bad credentials, muted for flooding; the whole channel
waits instead of every message failing on its own). `lookup` says, after a worker died mid-send, whether
messages went out: True, False (certainly not: safe to resend) or None (cannot tell).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.utils import timezone


@dataclass(frozen=True)
class Outgoing:
    id: int
    recipient: str
    body: str
    kind: str
    parameters: dict[str, Any] = field(default_factory=dict)
    provider_template: str = ""
    parameter_order: tuple[str, ...] = ()
    reference: str = ""  # the claim token: sent along (OutId, SessionContext) to find the message later
    claimed_on: str = ""  # yyyymmdd, local date of the claim (where a provider looks records up by day)


@dataclass(frozen=True)
class Outcome:
    message_id: int
    delivered: bool
    provider_id: str = ""
    error: str = ""
    permanent: bool = False  # never retry (bad number, template rejected)
    uncertain: bool = False  # it may have gone out: do not retry automatically
    retry_after: timedelta | None = None  # the provider limits this number for a while: try again then


class TransientError(Exception):
    """The provider could not take the batch now (network, throttling): try again later."""


class PermanentError(Exception):
    """The provider refused the batch for good (credentials, template): do not retry."""


class DeliveryUnknown(Exception):
    """The request was sent but no answer came (read timeout, 5xx): it may have gone out."""


class ChannelPaused(Exception):
    """Nothing can go out on this channel for `pause` (no balance, bad credentials, muted).
    `settled` carries what the same call already delivered, so it is recorded, not held."""

    def __init__(self, reason: str, pause: timedelta, settled: list["Outcome"] | None = None) -> None:
        super().__init__(reason)
        self.pause = pause
        self.settled = settled or []


def until_tomorrow() -> timedelta:
    """How long until local midnight, when providers' daily limits start again."""
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0, 5), tzinfo=now.tzinfo)
    return midnight - now


class Transport(Protocol):
    max_batch: int
    max_per_minute: int | None  # the provider's own ceiling (robots: 20), whatever the channel says

    def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]: ...

    def send(self, call: list[Outgoing]) -> list[Outcome]: ...

    def lookup(self, batch: list[Outgoing]) -> dict[int, bool | None]: ...


TransportFactory = Callable[[dict[str, Any], str], Transport]  # (options, secret) -> transport


def transport_for(kind: str, options: dict[str, Any], secret: str) -> Transport:
    from . import aliyun, console, dingtalk, email, tencent, wecom

    factories: dict[str, TransportFactory] = {
        "console": console.ConsoleTransport,
        "email": email.EmailTransport,
        "aliyun_sms": aliyun.AliyunSmsTransport,
        "tencent_sms": tencent.TencentSmsTransport,
        "wecom_robot": wecom.WecomRobotTransport,
        "dingtalk_robot": dingtalk.DingtalkRobotTransport,
    }
    if kind not in factories:
        raise PermanentError(f"No transport for channel kind {kind!r} yet")
    return factories[kind](options, secret)
