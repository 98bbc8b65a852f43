"""Audiences a broadcast can be sent to: one registry, each module adding its own.

A module registers its audiences in its AppConfig.ready (the bureau's shops, the teams'
members, a site's staff, the power company's enterprises); notify knows none of the modules.
An audience has a name in words, filters whose choices are scoped to the person choosing
(a bureau's staff see their bureau's network points, a coordinator their county's villages),
who may use it, and the recipients it finds: each a mobile with the parameters it fills
for its own message ({shop}, {name}).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts.queries import visible_users

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class AudienceFilter:
    name: str
    label: str | Promise
    choices: Callable[[Any], Choices]  # user -> (value, label) the user may pick; "" is "any"


@dataclass(frozen=True)
class Recipient:
    address: str  # an E.164 mobile
    values: Mapping[str, str] = field(default_factory=dict)  # the parameters this recipient fills


@dataclass(frozen=True)
class Audience:
    key: str
    label: str | Promise
    find: Callable[[Any, Mapping[str, str]], list[Recipient]]  # user, chosen filters -> recipients in scope
    filters: tuple[AudienceFilter, ...] = ()
    fills: tuple[str, ...] = ()  # template parameters each recipient fills itself
    may_use: Callable[[Any], bool] = lambda user: True


AUDIENCES: dict[str, Audience] = {}


def register(audience: Audience) -> None:
    AUDIENCES[audience.key] = audience


def offered_to(user: Any) -> list[Audience]:
    return [audience for audience in AUDIENCES.values() if audience.may_use(user)]


def get(user: Any, key: str) -> Audience:
    """The audience by its key, if this person may use it (else a form error on the field)."""
    audience = AUDIENCES.get(key)
    if audience is None or not audience.may_use(user):
        raise ValidationError({"audience": _("Choose one of the audiences offered.")})
    return audience


def checked_filters(user: Any, audience: Audience, chosen: Mapping[str, str]) -> dict[str, str]:
    """Only the filters the audience has, each with a value the person was offered: the
    choices are scoped, so this is also what keeps a hand-made request inside the scope."""
    values = {}
    for flt in audience.filters:
        value = str(chosen.get(flt.name) or "")
        if value and value not in {key for key, _label in flt.choices(user)}:
            raise ValidationError({f"filter_{flt.name}": _("Choose one of the values offered.")})
        if value:
            values[flt.name] = value
    return values


def resolve(user: Any, key: str, chosen: Mapping[str, str]) -> list[Recipient]:
    """The recipients of an audience with these filters, each once (its first parameters kept)."""
    audience = get(user, key)
    found: dict[str, Recipient] = {}
    for recipient in audience.find(user, checked_filters(user, audience, chosen)):
        if recipient.address:
            found.setdefault(recipient.address, recipient)
    return list(found.values())


def describe(user: Any, key: str, chosen: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """An audience and its chosen filters in words ("The bureau's shops", [("Network point",
    "巴邱网点")]), for the broadcast's page; a list a module sent to itself keeps its key."""
    audience = AUDIENCES.get(key)
    if audience is None:
        return key, []
    described = []
    for flt in audience.filters:
        if chosen.get(flt.name):
            names = dict(flt.choices(user))
            described.append((str(flt.label), names.get(chosen[flt.name], chosen[flt.name])))
    return str(audience.label), described


def _people_in_my_care(user: Any, chosen: Mapping[str, str]) -> list[Recipient]:
    people = visible_users(user).filter(is_active=True, mobile__isnull=False).exclude(mobile="").order_by("pk")
    rows = people.values_list("mobile", "full_name", "username")
    return [Recipient(mobile or "", {"name": full_name or username}) for mobile, full_name, username in rows]


register(
    Audience(
        "people",
        gettext_lazy("People in my organisations (with a mobile number)"),
        _people_in_my_care,
        fills=("name",),
    )
)
