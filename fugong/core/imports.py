"""Applying an exchange file's rows through the services, all or nothing.

Every row goes through the same service a form would call, inside a savepoint, so the rules
live in one place. Errors are collected for every row; if there is any, the whole import is
rolled back and the person gets the full list, by row and column.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fugong.accounts import audit

from .jobs import JobFailed, Progress
from .spreadsheets import Column, ImportRejected, Row, RowError, read_rows

PROGRESS_EVERY = 100  # rows between progress updates


class RowProblem(Exception):
    """What is wrong with one cell of a row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def header_of(columns: Iterable[Column], field: str) -> str:
    for column in columns:
        if column.field == field:
            return str(column.header)
    return field


def row_errors(
    number: int, columns: tuple[Column, ...], failure: Exception, field_to_column: dict[str, str] | None = None
) -> list[RowError]:
    """A row's failure (RowProblem, ValidationError, PermissionDenied) as errors by column."""
    if isinstance(failure, RowProblem):
        return [RowError(number, header_of(columns, failure.column), failure.message)]
    if isinstance(failure, PermissionDenied):
        return [RowError(number, "", _("You may not change this record."))]
    assert isinstance(failure, ValidationError)
    if not hasattr(failure, "error_dict"):
        return [RowError(number, "", " ".join(failure.messages))]
    mapping = field_to_column or {}
    return [
        RowError(number, header_of(columns, mapping.get(field, field)), " ".join(messages))
        for field, messages in failure.message_dict.items()
    ]


def apply_rows(
    rows: list[Row],
    columns: tuple[Column, ...],
    apply_row: Callable[[dict[str, str]], str],
    progress: Progress | None,
    field_to_column: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Apply every row in one transaction; roll back and report if any row failed.
    `apply_row` returns "created", "updated" or "unchanged"."""
    if progress:
        progress.update(0, len(rows), _("Checking and saving %d rows…") % len(rows))
    errors: list[RowError] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for done, row in enumerate(rows):
            if progress and done and done % PROGRESS_EVERY == 0:
                progress.update(done, inside_transaction=True)
            try:
                with transaction.atomic():
                    counts[apply_row(row.values)] += 1
            except (RowProblem, ValidationError, PermissionDenied) as failure:
                errors.extend(row_errors(row.number, columns, failure, field_to_column))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRejected(errors)
    if progress:
        progress.update(len(rows), len(rows))
    return {"rows": len(rows), **counts}


def choice(value: str, lookup: dict[str, str], column: str, *, default: str | None = None) -> str:
    if not value:
        if default is not None:
            return default
        raise RowProblem(column, _("This column is required."))
    try:
        return lookup[value.strip().lower()]
    except KeyError:
        raise RowProblem(column, _("“%(value)s” is not one of the allowed values.") % {"value": value}) from None


def decimal_in(value: str, column: str, places: str = "0.000001") -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value).quantize(Decimal(places))
    except InvalidOperation:
        raise RowProblem(column, _("“%(value)s” is not a number.") % {"value": value}) from None


def import_stored_file(
    progress: Progress,
    stored_name: str,
    filename: str,
    columns: tuple[Column, ...],
    apply: Callable[[list[Row]], dict[str, Any]],
    language: str,
    summary_text: str,
) -> dict[str, Any]:
    """What an import task does with an uploaded file: read it, apply every row or none
    (`apply`), word the outcome in the person's language, and delete the upload either way.
    `summary_text` is formatted with the counts apply returns."""
    try:
        with translation.override(language), audit.origin(audit.Origin("task")):
            progress.update(0, None, _("Reading the file…"))
            with default_storage.open(stored_name, "rb") as upload:
                rows = read_rows(upload, filename, columns)
            summary = apply(rows)
            summary["message"] = summary_text % summary
            return summary
    except ImportRejected as rejected:
        with translation.override(language):
            raise JobFailed(
                _("Nothing was imported: %d problem(s) to fix in the file.") % len(rejected.errors),
                {"errors": [e.as_dict() for e in rejected.errors]},
            ) from None
    finally:
        default_storage.delete(stored_name)
