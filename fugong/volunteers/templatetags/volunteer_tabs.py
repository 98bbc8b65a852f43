"""The volunteer tabs a person may open, whichever page includes them."""

from typing import Any

from django import template

from fugong.volunteers.queries import tabs_for

register = template.Library()


@register.simple_tag(takes_context=True)
def volunteer_tabs(context: dict[str, Any]) -> set[str]:
    return tabs_for(context["request"].user)
