"""The cards of the home page: what a module has for the user today.

A module puts a function `user -> list[Card]` in its own dashboard.py; fugong.site.dashboard
lists them. The function returns no cards for people it has nothing for, and each card links
only to a page the user may open: it checks with the same access functions as that page.
"""

from dataclasses import dataclass

from django.utils.functional import Promise

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


def by_urgency[T: (Card, Section)](items: list[T]) -> list[T]:
    """Alerts first, then warnings, then the rest; equals keep their order."""
    return sorted(items, key=lambda item: -item.urgency)
