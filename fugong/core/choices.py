"""Reading a choice from a spreadsheet cell, whichever language the person typed it in."""

import re

from django.conf import settings
from django.db.models import Choices
from django.utils import translation


def choice_lookup(choices: type[Choices]) -> dict[str, str]:
    """Map of lower-cased value and label (in every language) to the stored value."""
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in zip(choices.values, choices.labels, strict=True):
                text = str(label).lower()
                lookup[text] = str(value)
                # "封控（静态管理）" may be typed as "封控" or "静态管理".
                for part in re.split(r"[（）()]", text):
                    if part.strip():
                        lookup.setdefault(part.strip(), str(value))
    for value in choices.values:
        lookup[str(value).lower()] = str(value)
    return lookup


def label_of(choices: type[Choices], value: object) -> str:
    for stored, label in zip(choices.values, choices.labels, strict=True):
        if stored == value:
            return str(label)
    return str(value)
