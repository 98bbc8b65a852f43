"""Masking of personal data for lists, exports and anyone not entitled to the full value.

One place, so every list and export hides the same digits: 138****5678, 3301**********1234.
"""

import re

from .validators import national_mobile, national_phone

# A mobile (1[3-9] and nine digits) or a landline (0, area code and number), perhaps with +86,
# not part of a longer number (an account number is not a phone).
PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9}|0\d{9,11})(?!\d)")


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


def mask_phones_in(text: str | None) -> str:
    """A message's text with every phone number in it masked (an SMS to a helper names the
    resident's number): for those who may read the message but not the number."""
    return PHONE_IN_TEXT.sub(lambda found: mask_phone(found.group(1)), text or "")
