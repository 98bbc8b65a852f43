"""Transports: how one kind of channel hands messages to its provider.

Each transport gets a batch of `Outgoing` and answers one `Outcome` per message; it raises
`TransientError` / `PermanentError` when the whole call failed. `lookup` says, after a
worker died mid-send, whether messages went out: True (yes), False (no: safe to resend)
or None (the provider cannot tell: the message is left for a person to decide).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


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


@dataclass(frozen=True)
class Outcome:
    message_id: int
    delivered: bool
    provider_id: str = ""
    error: str = ""
    permanent: bool = False  # never retry (bad number, template rejected)


class TransientError(Exception):
    """The provider could not take the batch now (network, throttling): try again later."""


class PermanentError(Exception):
    """The provider refused the batch for good (credentials, template): do not retry."""


class Transport(Protocol):
    max_batch: int

    def send(self, batch: list[Outgoing]) -> list[Outcome]: ...

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
