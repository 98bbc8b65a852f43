from typing import Any

import segno
from django import template
from django.utils.safestring import mark_safe

from fugong.core import masking
from fugong.core.validators import national_mobile, national_phone

register = template.Library()


@register.filter
def masked_mobile(value: str | None) -> str:
    return masking.mask_mobile(value)


@register.filter
def masked_id(value: str | None) -> str:
    return masking.mask_id_number(value)


@register.filter
def masked_name(value: str | None) -> str:
    return masking.mask_name(value)


@register.filter
def mobile(value: str | None) -> str:
    return national_mobile(value) if value else ""


@register.filter
def phone(value: str | None) -> str:
    """A mobile or a landline as dialled: 13812345678, 05786122000."""
    return national_phone(value) if value else ""


@register.filter
def masked_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def phones_masked(value: str | None) -> str:
    return masking.mask_phones_in(value)


@register.filter
def qr_svg(value: str | None) -> str:
    """A link as an inline QR code (segno's own SVG, nothing from the user unescaped)."""
    if not value:
        return ""
    return mark_safe(segno.make(value, error="m").svg_inline(scale=4))  # noqa: S308


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """mapping[key] in a template (None when absent)."""
    return (mapping or {}).get(key)
