from typing import Any

from django import template

from fugong.routing.findings import clock as engine_clock

from ..wording import describe

register = template.Library()


@register.filter
def clock(seconds: int | None) -> str:
    """Seconds after midnight of the plan's day as HH:MM."""
    return "" if seconds is None else engine_clock(int(seconds))


@register.filter
def finding(value: dict[str, Any]) -> str:
    return describe(value)
