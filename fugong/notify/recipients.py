"""Recipient lists a broadcast can be sent to, each from a module's own scoped query.

Modules add theirs with `register` (in their AppConfig.ready): the power module, for
instance, "enterprise accounts with a suspension in effect".
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fugong.accounts.queries import visible_users


@dataclass(frozen=True)
class RecipientSource:
    key: str
    label: str | Promise
    resolve: Callable[[Any], list[str]]  # user -> recipients (E.164 mobiles) the user may reach


SOURCES: dict[str, RecipientSource] = {}


def register(source: RecipientSource) -> None:
    SOURCES[source.key] = source


def _people_in_my_care(user: Any) -> list[str]:
    people = visible_users(user).filter(is_active=True, mobile__isnull=False).order_by("pk")
    return [mobile for mobile in people.values_list("mobile", flat=True) if mobile]


register(RecipientSource("people", _("People in my organisations (with a mobile number)"), _people_in_my_care))
