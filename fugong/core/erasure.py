"""One register of the data Fugong keeps for a while and then erases (pretix's data shredders).

Each app declares its own kinds in its `erasure.py`, imported by its AppConfig.ready(): what the
rows hold, how long they are kept, whether they are deleted or anonymised, which rows are due at a
moment and how to erase a chunk of them. This module only knows that shape and how to run a kind
in chunks. Core is the bottom layer and imports no other app, so writing the audit trail of a run
is the accounts app's (fugong/accounts/erasure.py), and the daily job is its task.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# What an erased person's name becomes. Stored, not translated: the erasure of a name is also
# how a later run knows it is done, so it must not depend on the language the worker runs in.
ERASED_NAME = "（已删除）"

CHUNK = 2000  # rows per transaction: short locks, so the door keeps checking people in meanwhile

TABLE_START = "<!-- retention:start -->"
TABLE_END = "<!-- retention:end -->"


class Action(models.TextChoices):
    DELETE = "delete", _("deleted")
    ANONYMISE = "anonymise", _("anonymised")


@dataclass(frozen=True)
class Period:
    """How long rows are kept: `settings.RETENTION_DAYS[key]` (set by the environment variable
    `env`), read each time it is asked so an override counts, or a fixed number of days."""

    key: str = ""
    env: str = ""
    fixed_days: int = 0

    @property
    def days(self) -> int:
        return int(settings.RETENTION_DAYS[self.key]) if self.key else self.fixed_days

    def before(self, now: datetime) -> datetime:
        """Rows from before this moment are due."""
        return now - timedelta(days=self.days)

    def before_day(self, now: datetime) -> date:
        """Rows dated before this local day are due (for rows that carry a date, not a moment)."""
        return timezone.localdate(now) - timedelta(days=self.days)

    def describe(self, quote: str = "") -> str:
        """The period and the variable that sets it: 28 days (RETENTION_CHECKINS_DAYS)."""
        days = ngettext("%(days)d day", "%(days)d days", self.days) % {"days": self.days}
        return f"{days} ({quote}{self.env}{quote})" if self.env else days


def delete_rows(due: QuerySet[Any], limit: int) -> int:
    """Erase a chunk by deleting the rows (rows that depend on them go as their keys say)."""
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    deleted = due.model._default_manager.filter(pk__in=ids).delete()[1]
    return deleted.get(due.model._meta.label, 0)


def clear_fields(**values: Any) -> Callable[[QuerySet[Any], int], int]:
    """Erase a chunk by overwriting the personal fields; the row and what it counts for stay."""

    def erase(due: QuerySet[Any], limit: int) -> int:
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
        return due.model._default_manager.filter(pk__in=ids).update(**values)

    return erase


@dataclass(frozen=True)
class Kind:
    code: str  # stable: it names the kind in the audit log and the README table
    label: str | Promise
    holds: str | Promise  # the personal data in these rows
    kept: Period
    counted_from: str | Promise  # the moment the period starts
    action: Action
    models: tuple[str, ...]  # labels of the models whose personal data this kind erases
    due: Callable[[datetime], QuerySet[Any]]  # the rows due at a moment; erasing them ends their being due
    erase: Callable[[QuerySet[Any], int], int] = delete_rows  # erase at most `limit` of the due rows
    # Run once, in its own transaction, before the chunks: to settle what must outlive the rows.
    prepare: Callable[[datetime], object] | None = None


_kinds: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        if _kinds.get(kind.code, kind) is not kind:
            raise ImproperlyConfigured(f"Two kinds of kept data are registered as {kind.code}.")
        _kinds[kind.code] = kind


def kinds() -> list[Kind]:
    return [_kinds[code] for code in sorted(_kinds)]


def get(code: str) -> Kind:
    return _kinds[code]


def due_count(kind: Kind, now: datetime) -> int:
    return kind.due(now).count()


def erase(kind: Kind, now: datetime, chunk: int | None = None) -> int:
    """Erase every row of this kind due at `now`, one chunk per transaction, so a long run
    never holds one huge lock; returns how many rows were erased."""
    chunk = chunk or CHUNK
    if kind.prepare is not None:
        with transaction.atomic():
            kind.prepare(now)
    erased = 0
    while True:
        with transaction.atomic():
            done = kind.erase(kind.due(now), chunk)
        erased += done
        if done < chunk:  # the last chunk: nothing was left due
            return erased


def retention_table_markdown() -> str:
    """The README's retention table, from the register (in English, with the default periods
    when the settings are the defaults): a test keeps the README equal to it."""
    with translation.override("en"):
        lines = [
            TABLE_START,
            "| code | kept data | personal data | kept for | counted from | then |",
            "|---|---|---|---|---|---|",
            *(
                f"| `{k.code}` | {k.label} | {k.holds} | {k.kept.describe('`')} | {k.counted_from} | {k.action.label} |"
                for k in kinds()
            ),
            TABLE_END,
        ]
    return "\n".join(lines)
