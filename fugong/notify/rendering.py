"""Message text with named parameters: "{shop}，您的订单预计 {eta} 送达。"."""

import string
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def placeholders(text: str) -> list[str]:
    try:
        return [name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise ValidationError({"text": _("The text has an unmatched brace: %(error)s") % {"error": error}}) from None


def check_template(text: str, parameters: Iterable[str]) -> None:
    """Raised when the text uses a parameter the template does not declare (checked on save)."""
    declared = list(parameters)
    used = placeholders(text)
    bad = [name for name in used if not name.isidentifier()]
    if bad:
        raise ValidationError(
            {"text": _("Use parameter names in braces, like {shop}; not “{%(bad)s}”.") % {"bad": bad[0]}}
        )
    undeclared = sorted(set(used) - set(declared))
    if undeclared:
        raise ValidationError(
            {
                "parameters": _("The text uses parameters that are not declared: %(names)s")
                % {"names": ", ".join(undeclared)}
            }
        )


def render(text: str, values: Mapping[str, Any]) -> str:
    missing = sorted(set(placeholders(text)) - set(values))
    if missing:
        raise ValidationError(_("Missing message parameters: %(names)s") % {"names": ", ".join(missing)})
    return text.format_map({k: str(v) for k, v in values.items()})
