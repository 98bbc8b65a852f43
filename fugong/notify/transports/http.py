"""What the HTTP transports share: one client with timeouts, and network trouble as TransientError."""

from collections.abc import Callable
from typing import Any

import httpx

from . import Outcome, Outgoing, TransientError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def post(url: str, **kwargs: Any) -> Any:
    """POST and return the JSON answer; connection problems and 5xx are transient."""
    try:
        response = httpx.post(url, timeout=TIMEOUT, **kwargs)
    except httpx.HTTPError as error:
        raise TransientError(f"{type(error).__name__}: {error}") from None
    if response.status_code >= 500:
        raise TransientError(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise TransientError(f"HTTP {response.status_code}: not JSON") from None


def send_in_shared_calls(
    batch: list[Outgoing], per_call: int, send_same: Callable[[list[Outgoing]], list[Outcome]]
) -> list[Outcome]:
    """SMS APIs take many numbers per call when the template parameters are the same:
    one call per group of equal parameters, at most `per_call` numbers each."""
    outcomes: list[Outcome] = []
    for group in group_by_parameters(batch):
        for part in chunks(group, per_call):
            outcomes.extend(send_same(part))
    return outcomes


def group_by_parameters(batch: list[Outgoing]) -> list[list[Outgoing]]:
    """Messages that can share one provider call: same template parameters, in order."""
    groups: dict[str, list[Outgoing]] = {}
    for message in batch:
        key = repr(sorted(message.parameters.items()))
        groups.setdefault(key, []).append(message)
    return list(groups.values())


def chunks(items: list[Outgoing], size: int) -> list[list[Outgoing]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
