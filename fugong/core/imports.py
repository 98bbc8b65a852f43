"""Imports: starting one from an upload, and applying a file's rows through the services,
all or nothing.

Every import, page or API, starts with `start_import`: a file too large or not of its type is
refused there, before it is kept or a job starts. Every row goes through the same service a
form would call, inside a savepoint, so the rules live in one place. Every problem of every
row is collected (each bad cell of a row, see `Cells`); if there is any, the whole import is
rolled back and the person gets the list, by row and column.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.tasks import Task
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .jobs import JobFailed, Progress, start_job
from .models import Job
from .origin import Origin, origin
from .outage import is_outage
from .spreadsheets import Column, ImportRejected, Problems, Row, RowError, check_workbook, megabytes, read_rows
from .storage import keep_upload
from .transactions import services_join

PROGRESS_EVERY = 100  # rows between progress updates
SPREADSHEETS = (".xlsx", ".csv")
PARQUET_MAGIC = b"PAR1"  # a Parquet file begins and ends with these bytes


def start_import(
    task: Task,
    upload: UploadedFile,
    *,
    kind: str,
    title: str,
    user: Any,
    args: tuple = (),
    types: tuple[str, ...] = SPREADSHEETS,
) -> Job:
    """Start the import of an upload, from a page or the API: refuse it if it is larger than
    settings.FUGONG_MAX_UPLOAD_BYTES or not a file of `types`, keep it in the default storage
    (workers read it there), start the job. The task is called with `*args` followed by the
    stored name, the file's name, the user's id and their language; it deletes the stored file.
    Refusals are ValidationError({"file": ...}): a form shows it, the API answers 422."""
    check_upload(upload, types)
    name = upload.name or "upload"
    stored = keep_upload(upload, f"imports/{timezone.now():%Y%m%d}/{name}", field="file", filename=name)
    try:
        return start_job(task, kind=kind, title=title, user=user, args=(*args, stored, name, user.pk, get_language()))
    except Exception:
        default_storage.delete(stored)
        raise


def check_upload(upload: UploadedFile, types: tuple[str, ...] = SPREADSHEETS) -> None:
    """Size first (nothing of a too-large file is read), then the type: the name's ending, and
    for a workbook or Parquet file that its content is one."""
    limit = settings.FUGONG_MAX_UPLOAD_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; an import takes at most %(limit)s MB.")
                % {"size": megabytes(upload.size or 0), "limit": megabytes(limit)}
            }
        )
    name = (upload.name or "").lower()
    if not name.endswith(types):
        raise ValidationError({"file": _("Upload a file ending in %(types)s.") % {"types": " / ".join(types)}})
    if name.endswith(".xlsx"):
        try:
            check_workbook(upload)
        except ImportRejected as rejected:
            raise ValidationError({"file": rejected.errors[0].message}) from None
    elif name.endswith(".parquet") and not _is_parquet(upload):
        raise ValidationError({"file": _("This is not a Parquet file.")})


def _is_parquet(upload: UploadedFile) -> bool:
    size = upload.size or 0
    if size < 2 * len(PARQUET_MAGIC):
        return False
    upload.seek(0)
    head = upload.read(len(PARQUET_MAGIC))
    upload.seek(size - len(PARQUET_MAGIC))
    tail = upload.read(len(PARQUET_MAGIC))
    upload.seek(0)
    return head == tail == PARQUET_MAGIC


class RowProblem(Exception):
    """What is wrong with one cell of a row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class RowProblems(Exception):
    """Every cell problem of one row, one per column."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class Cells(dict[str, str]):
    """One row's values, read column by column so the person learns every bad cell of a row at
    once: `read` runs a cell's parser and, when the cell is wrong, notes the problem and goes on;
    `check` raises all of them together, before a service is called with what was read. An empty
    cell in a required column is noted from the start."""

    def __init__(self, values: dict[str, str], columns: Iterable[Column] = ()) -> None:
        super().__init__(values)
        self.problems: dict[str, RowProblem] = {}
        for column in columns:
            if column.required and not values.get(column.field, "").strip():
                self.note(column.field, _("This column is required."))

    def read[**P, T](self, parse: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`parse(*args, **kwargs)`; if it raises RowProblem, the problem is noted and the
        answer is a placeholder (None) that `check` keeps from ever reaching a service."""
        try:
            return parse(*args, **kwargs)
        except RowProblem as problem:
            self.problems.setdefault(problem.column, problem)
            return cast(T, None)

    def note(self, column: str, message: str) -> None:
        """A problem the importer found itself (the first one of a column is kept)."""
        self.problems.setdefault(column, RowProblem(column, message))

    def check(self) -> None:
        if self.problems:
            raise RowProblems(self.problems.values())


def header_of(columns: Iterable[Column], field: str) -> str:
    for column in columns:
        if column.field == field:
            return str(column.header)
    return field


def row_errors(
    number: int,
    columns: tuple[Column, ...],
    failure: Exception,
    field_to_column: dict[str, str] | None = None,
    cells: Cells | None = None,
) -> list[RowError]:
    """A row's failure (RowProblem(s), ValidationError, PermissionDenied) as errors by column,
    with the problems its `cells` noted before it (each column once)."""
    if cells is not None and isinstance(failure, RowProblem):
        cells.problems.setdefault(failure.column, failure)
        failure = RowProblems(cells.problems.values())
    found = _errors_of(number, columns, failure, field_to_column or {})
    if cells is None or not cells.problems or isinstance(failure, RowProblems):
        return found
    noted = _errors_of(number, columns, RowProblems(cells.problems.values()), {})
    named = {error.column for error in noted}
    return noted + [error for error in found if error.column not in named]


def _errors_of(number: int, columns: tuple[Column, ...], failure: Exception, mapping: dict[str, str]) -> list[RowError]:
    if isinstance(failure, RowProblems):
        return [RowError(number, header_of(columns, p.column), p.message) for p in failure.problems]
    if isinstance(failure, RowProblem):
        return [RowError(number, header_of(columns, failure.column), failure.message)]
    if isinstance(failure, PermissionDenied):
        return [RowError(number, "", _("You may not change this record."))]
    assert isinstance(failure, ValidationError)
    if not hasattr(failure, "error_dict"):
        return [RowError(number, "", " ".join(failure.messages))]
    return [
        RowError(number, header_of(columns, mapping.get(field, field)), " ".join(messages))
        for field, messages in failure.message_dict.items()
    ]


ROW_FAILURES = (RowProblem, RowProblems, ValidationError, PermissionDenied)


def apply_rows(
    rows: list[Row],
    columns: tuple[Column, ...],
    apply_row: Callable[[Cells], str],
    progress: Progress | None,
    field_to_column: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Apply every row in one transaction; roll back and report if any row failed.
    `apply_row` reads its cells with `Cells.read`, calls `Cells.check` before it changes
    anything, and returns "created", "updated" or "unchanged"."""
    if progress:
        progress.update(0, len(rows), _("Checking and saving %d rows…") % len(rows))
    errors = Problems()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic(), services_join(many=True):  # a service per row, all rows or none
        for done, row in enumerate(rows):
            if progress and done and done % PROGRESS_EVERY == 0:
                progress.update(done, inside_transaction=True)
            cells = Cells(row.values, columns)
            try:
                with transaction.atomic():
                    outcome = apply_row(cells)
                    cells.check()  # an importer that forgot to: nothing of the row is kept
                counts[outcome] += 1
            except ROW_FAILURES as failure:
                errors.extend(row_errors(row.number, columns, failure, field_to_column, cells))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise errors.rejected()
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


def rejected_result(rejected: ImportRejected) -> dict[str, Any]:
    """A refused file as a job's result: the problems listed, and how many more were found
    (the job card shows "…and N more problems")."""
    return {"errors": [e.as_dict() for e in rejected.errors], "more": rejected.more}


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
        with translation.override(language), origin(Origin("task")), stored_until_done(stored_name):
            progress.update(0, None, _("Reading the file…"))
            with default_storage.open(stored_name, "rb") as upload:
                rows = read_rows(upload, filename, columns)
            summary = apply(rows)
            summary["message"] = summary_text % summary
            return summary
    except ImportRejected as rejected:
        with translation.override(language):
            raise JobFailed(
                _("Nothing was imported: %d problem(s) to fix in the file.") % rejected.total,
                rejected_result(rejected),
            ) from None


@contextmanager
def stored_until_done(stored_name: str) -> Iterator[None]:
    """An import task's uploaded file is deleted when the task is done with it, whatever the
    outcome, except when a database outage interrupted it: its rows were rolled back and the
    worker runs the task again (fugong.site.worker_loop), which reads the file again."""
    keep = False
    try:
        yield
    except DatabaseError as error:
        keep = is_outage(error)
        raise
    finally:
        if not keep:
            default_storage.delete(stored_name)
