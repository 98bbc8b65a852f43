"""Home-page cards per role. Modules add a function to CARD_PROVIDERS that returns the
cards (title, figure, note, link) it has for a user, or none."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Card:
    title: str | Promise
    figure: str
    note: str | Promise = ""
    url: str = ""
    tone: str = ""  # "", "warn", "alert"


def cards_for(user: Any) -> list[Card]:
    from fugong.accounts.dashboard import account_cards
    from fugong.directory.dashboard import directory_cards

    providers: list[Callable[[Any], list[Card]]] = [directory_cards, account_cards]
    cards: list[Card] = []
    for provider in providers:
        cards.extend(provider(user))
    return cards
