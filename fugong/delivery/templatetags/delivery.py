from typing import Any

from django import template

from fugong.routing.findings import clock as engine_clock

from .. import navigation
from ..wording import describe

register = template.Library()


@register.filter
def clock(seconds: int | None) -> str:
    """Seconds after midnight of the plan's day as HH:MM."""
    return "" if seconds is None else engine_clock(int(seconds))


@register.filter
def finding(value: dict[str, Any]) -> str:
    return describe(value)


@register.filter
def amap_navigation(place: Any) -> str:
    """A shop's or site's Amap navigation link (GCJ-02), empty without a position."""
    return navigation.amap(place)


@register.filter
def baidu_navigation(place: Any) -> str:
    return navigation.baidu(place)
