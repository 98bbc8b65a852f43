"""Message kinds in the reader's words. A module that sends a kind of message registers its
label where it names the kind; the outbox, the broadcast form and a channel's templates show
the label, and a kind an organisation made up itself shows as it was typed."""

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}


def register(kind: str, label: str | Promise) -> str:
    _LABELS[kind] = label
    return kind


def label_of(kind: str) -> str:
    return str(_LABELS.get(kind, kind))
