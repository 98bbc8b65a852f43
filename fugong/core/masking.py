"""Masking of personal data for lists, exports and anyone not entitled to the full value.

One place, so every list and export hides the same digits: 138****5678, 3301**********1234.
"""

from .validators import national_mobile, national_phone


def mask_mobile(value: str | None) -> str:
    if not value:
        return ""
    digits = national_mobile(value)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_recipient(value: str | None) -> str:
    """A mobile or an e-mail address, masked: 139****0101, z***@example.com."""
    if value and "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_mobile(value)


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    """张三丰 -> 张**: enough to recognise, not to identify."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_phone(value: str | None) -> str:
    """A mobile or a landline: 139****0101, 057****1234."""
    if not value:
        return ""
    digits = national_phone(value)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}" if len(digits) >= 7 else "*" * len(digits)
