from django import template

from fugong.core import masking
from fugong.core.validators import national_mobile

register = template.Library()


@register.filter
def masked_mobile(value: str | None) -> str:
    return masking.mask_mobile(value)


@register.filter
def masked_id(value: str | None) -> str:
    return masking.mask_id_number(value)


@register.filter
def mobile(value: str | None) -> str:
    return national_mobile(value) if value else ""
