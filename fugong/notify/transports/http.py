"""What the HTTP transports share: one client with timeouts, and network trouble as TransientError."""

from typing import Any

import httpx

from . import DeliveryUnknown, Outgoing, TransientError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def post(url: str, **kwargs: Any) -> Any:
    """POST and return the JSON answer. Failing to connect means nothing was sent (retry);
    a request that left without a usable answer may have been acted on (DeliveryUnknown)."""
    try:
        response = httpx.post(url, timeout=TIMEOUT, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise TransientError(f"{type(error).__name__}: {error}") from None
    except httpx.HTTPError as error:
        raise DeliveryUnknown(f"{type(error).__name__}: {error}") from None
    if response.status_code >= 500:
        raise DeliveryUnknown(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise DeliveryUnknown(f"HTTP {response.status_code}: not JSON") from None


def shared_calls(batch: list[Outgoing], per_call: int) -> list[list[Outgoing]]:
    """SMS APIs take many numbers per call when template and parameters are the same:
    one call per such group, at most `per_call` numbers each."""
    return [part for group in group_by_template(batch) for part in chunks(group, per_call)]


def group_by_template(batch: list[Outgoing]) -> list[list[Outgoing]]:
    """Messages that can share one provider call: same template, same parameters."""
    groups: dict[str, list[Outgoing]] = {}
    for message in batch:
        key = repr((message.provider_template, message.parameter_order, sorted(message.parameters.items())))
        groups.setdefault(key, []).append(message)
    return list(groups.values())


def chunks(items: list[Outgoing], size: int) -> list[list[Outgoing]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class SharedCallSms:
    """Base of SMS transports whose API takes many numbers per call (same template and
    parameters): plans those calls; subclasses implement `send` for one call."""

    max_batch = 1000
    max_per_minute: int | None = None
    numbers_per_call = 1

    def calls(self, batch: list[Outgoing]) -> list[list[Outgoing]]:
        return shared_calls(batch, self.numbers_per_call)
