"""What an admitted visitor can do next at a site, offered on the result screen.

Modules above screening register theirs (the power hall: "take a queue number") in their
AppConfig.ready, so screening imports none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class NextStep:
    label: str | Promise
    url: str


STEPS: list[Callable[[Any], NextStep | None]] = []  # check-in -> a step, or None


def register(step: Callable[[Any], NextStep | None]) -> None:
    if step not in STEPS:
        STEPS.append(step)


def next_steps(record: Any) -> list[NextStep]:
    return [step for step in (offer(record) for offer in STEPS) if step is not None]
