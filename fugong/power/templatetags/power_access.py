"""Template questions about a person's rights at a power company, so a shared piece of a page
(the tabs) shows only what they may open whichever view includes it."""

from typing import Any

from django import template

from fugong.directory.models import Organisation
from fugong.power.access import may_administer

register = template.Library()


@register.simple_tag(takes_context=True)
def administers(context: dict[str, Any], company: Organisation) -> bool:
    return may_administer(context["request"].user, company)
