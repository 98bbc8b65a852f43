"""The home page: what each module has for the user today, one section per module, the most
urgent first."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fugong.accounts.dashboard import account_cards
from fugong.core.dashboard import Card, Section, by_urgency
from fugong.delivery.dashboard import delivery_cards
from fugong.directory.dashboard import directory_cards
from fugong.power.dashboard import power_cards
from fugong.resumption.dashboard import resumption_cards
from fugong.screening.dashboard import screening_cards
from fugong.volunteers.dashboard import my_duty_cards, team_cards


@dataclass(frozen=True)
class Provider:
    heading: str | Promise
    cards: Callable[[Any], list[Card]]


# In the order sections show when equally urgent: a person's own duties, then the day's work.
PROVIDERS = [
    Provider(_("My duties"), my_duty_cards),
    Provider(_("Deliveries"), delivery_cards),
    Provider(_("Screening"), screening_cards),
    Provider(_("Power service"), power_cards),
    Provider(_("Regions"), directory_cards),
    Provider(_("Volunteers"), team_cards),
    Provider(_("Resumption index"), resumption_cards),
    Provider(_("Users"), account_cards),
]


def sections_for(user: Any) -> list[Section]:
    sections = []
    for provider in PROVIDERS:
        cards = provider.cards(user)
        if cards:
            sections.append(Section(provider.heading, by_urgency(cards)))
    return by_urgency(sections)
