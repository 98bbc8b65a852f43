"""The home page: what each module has for the user today, one section per module, the most
urgent first.

A module puts a function `user -> list[Card]` in its own dashboard.py and lists it in
PROVIDERS by dotted path (core imports no domain app, as with NavItem.when). The function
returns no cards for people it has nothing for, and each card links only to a page the user
may open: it checks with the same access functions as that page.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

URGENCY = {"alert": 2, "warn": 1}


@dataclass(frozen=True)
class Line:
    """One row of a card: a route and its stops done, a town and its orders, a window and its number."""

    label: str | Promise
    value: str = ""
    url: str = ""
    tone: str = ""  # "", "warn", "alert"
    own: bool = False  # the user's own (their county in a city's ranking)


@dataclass(frozen=True)
class Card:
    title: str | Promise
    figure: str
    note: str | Promise = ""
    url: str = ""
    tone: str = ""  # "", "warn" (needs doing soon), "alert" (overdue, held)
    lines: tuple[Line, ...] = ()

    @property
    def urgency(self) -> int:
        return URGENCY.get(self.tone, 0)


@dataclass(frozen=True)
class Section:
    heading: str | Promise
    cards: list[Card]

    @property
    def urgency(self) -> int:
        return max((card.urgency for card in self.cards), default=0)

    @property
    def tone(self) -> str:
        return {2: "alert", 1: "warn"}.get(self.urgency, "")


@dataclass(frozen=True)
class Provider:
    heading: str | Promise
    cards: str  # dotted path of `user -> list[Card]`


# In the order sections show when equally urgent: a person's own duties, then the day's work.
PROVIDERS = [
    Provider(_("My duties"), "fugong.volunteers.dashboard.my_duty_cards"),
    Provider(_("Deliveries"), "fugong.delivery.dashboard.delivery_cards"),
    Provider(_("Screening"), "fugong.screening.dashboard.screening_cards"),
    Provider(_("Power service"), "fugong.power.dashboard.power_cards"),
    Provider(_("Regions"), "fugong.directory.dashboard.directory_cards"),
    Provider(_("Volunteers"), "fugong.volunteers.dashboard.team_cards"),
    Provider(_("Resumption index"), "fugong.resumption.dashboard.resumption_cards"),
    Provider(_("Users"), "fugong.accounts.dashboard.account_cards"),
]


def by_urgency[T: (Card, Section)](items: list[T]) -> list[T]:
    """Alerts first, then warnings, then the rest; equals keep their order."""
    return sorted(items, key=lambda item: -item.urgency)


def sections_for(user: Any) -> list[Section]:
    sections = []
    for provider in PROVIDERS:
        cards = import_string(provider.cards)(user)
        if cards:
            sections.append(Section(provider.heading, by_urgency(cards)))
    return by_urgency(sections)
