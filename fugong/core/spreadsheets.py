"""Reading and writing the spreadsheets offices exchange (xlsx, and CSV from Excel).

Imports are all-or-nothing: readers return every row with its sheet row number, callers
validate all rows, and `ImportRejected` carries every error so the person can fix the
file in one go.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    """A column of an exchange file; people may head it in Chinese or English."""

    field: str
    header: Any  # lazy translated label, written in exports
    aliases: tuple[str, ...] = ()  # other accepted headers (both languages)
    required: bool = False

    def matches(self, heading: str) -> bool:
        """Whether a file's column heading means this column, in any of our languages."""
        candidates = {self.field, *self.aliases}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                candidates.add(str(self.header))
        return heading.strip().lower() in {c.lower() for c in candidates}


@dataclass(frozen=True)
class RowError:
    row: int  # the row number the person sees in Excel (header is row 1)
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Row:
    number: int
    values: dict[str, str] = field(default_factory=dict)


MAX_REPORTED_PROBLEMS = 200  # listed to the person; the rest are counted ("and N more problems")


class ImportRejected(Exception):
    """A file refused whole: `errors` lists the first MAX_REPORTED_PROBLEMS problems, `total`
    counts every problem found."""

    def __init__(self, errors: Sequence[RowError], total: int | None = None) -> None:
        self.errors = list(errors[:MAX_REPORTED_PROBLEMS])
        self.total = max(total or 0, len(errors))
        super().__init__(f"{self.total} error(s)")

    @property
    def more(self) -> int:
        """Problems found but not listed."""
        return self.total - len(self.errors)


class Problems:
    """A file's problems as they are found: the first MAX_REPORTED_PROBLEMS are kept to show,
    the rest only counted, so a file wrong on every row costs no more than one wrong on a few."""

    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.total = 0

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.total += 1
            if len(self.kept) < MAX_REPORTED_PROBLEMS:
                self.kept.append(error)

    def __bool__(self) -> bool:
        return self.total > 0

    def rejected(self) -> ImportRejected:
        return ImportRejected(sorted(self.kept, key=lambda e: e.row), self.total)


# What a file may hold. The upload limit (settings.FUGONG_MAX_UPLOAD_BYTES) is checked before a
# file is kept (core.imports.start_import); the rest while it is read, before anything is written.
MAX_CELL_CHARS = 32_767  # the most an Excel cell holds; no field of ours comes near it
UNPACKED_PER_UPLOAD_BYTE = 10  # an .xlsx (a zip) may unpack to 10 times the upload limit
MAX_ZIP_MEMBERS = 10_000
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls files (OLE2) begin with these bytes


def read_rows(upload: IO[bytes], filename: str, columns: Sequence[Column]) -> list[Row]:
    """Rows of the first sheet (or the CSV) as text values keyed by column field.

    Whatever is wrong with the file itself (not a workbook, not text, a cell longer than a
    spreadsheet holds, more rows than settings.FUGONG_MAX_IMPORT_ROWS) is an ImportRejected
    worded for the person, with the row and column where there is one; nothing is read past
    the row limit."""
    table = _csv_table(upload.read()) if filename.lower().endswith(".csv") else _workbook_table(upload)
    headings = [str(h or "").strip() for h in table.header]
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        for column in columns:
            if heading and column.matches(heading) and column.field not in positions:
                positions[column.field] = index
    missing = [str(c.header) for c in columns if c.required and c.field not in positions]
    if missing:
        table.close()
        raise ImportRejected([RowError(1, name, _("This required column is missing.")) for name in missing])
    headers = {c.field: str(c.header) for c in columns}
    limit = settings.FUGONG_MAX_IMPORT_ROWS
    problems = Problems()
    rows = []
    try:
        for number, cells in table.rows(max(positions.values(), default=0) + 1):
            if number - 1 > limit:
                raise ImportRejected([RowError(1, "", _("The file has more than %d rows.") % limit)])
            values = {}
            for name, index in positions.items():
                text = _cell_text(cells[index]) if index < len(cells) else ""
                if len(text) > MAX_CELL_CHARS:
                    message = _("The cell has more than %(limit)d characters.") % {"limit": MAX_CELL_CHARS}
                    problems.extend([RowError(number, headers[name], message)])
                    text = ""
                values[name] = text
            if any(values.values()):
                rows.append(Row(number, values))
    except ImportRejected as rejected:
        problems.extend(rejected.errors)
    finally:
        table.close()
    if problems:
        raise problems.rejected()
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores codes typed as numbers as floats: 360823.0 -> "360823".
        return str(int(value))
    return str(value).strip()


@dataclass
class _Table:
    """A file's first sheet: its heading row, then the other rows numbered as the person sees
    them (from 2), read one at a time and at most `width` cells wide."""

    header: Sequence[Any]
    rows: Callable[[int], Iterator[tuple[int, Sequence[Any]]]]
    close: Callable[[], None] = lambda: None


def _refused(message: str, row: int = 1) -> ImportRejected:
    return ImportRejected([RowError(row, "", message)])


def _csv_table(data: bytes) -> _Table:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(_("The CSV file is not UTF-8 or GBK text."))
    reader = csv.reader(io.StringIO(text))

    def rows(width: int) -> Iterator[tuple[int, Sequence[Any]]]:
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # csv refuses a field over 131,072 characters: an over-long cell, or a quotation
                # mark never closed (the cell then runs on through the following lines).
                raise _refused(
                    _(
                        "This row cannot be read: a cell has more than %(limit)d characters, "
                        "or a quotation mark is not closed."
                    )
                    % {"limit": MAX_CELL_CHARS},
                    number,
                ) from None
            yield number, cells

    try:
        header = next(reader, None)
    except csv.Error:
        message = _("The heading row cannot be read: it is too long, or a quotation mark is not closed.")
        raise _refused(message) from None
    if header is None:
        raise _refused(_("The file is empty."))
    return _Table(header, rows)


def check_workbook(file: IO[bytes]) -> None:
    """Refuse what is not an .xlsx workbook, or one that would unpack to more than
    UNPACKED_PER_UPLOAD_BYTE times the upload limit (a zip bomb), before anything is unpacked:
    the zip's directory declares each member's size, and zipfile stops a member that unpacks
    past its declared size. Leaves the file at its start."""
    file.seek(0)
    if file.read(len(OLD_EXCEL)) == OLD_EXCEL:
        file.seek(0)
        raise _refused(_("This is an old Excel (.xls) file: save it as an Excel workbook (.xlsx) or CSV."))
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refused(_("This is not an Excel (.xlsx) or CSV file.")) from None
    finally:
        file.seek(0)
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _refused(_("This is not an Excel (.xlsx) or CSV file."))
    limit = UNPACKED_PER_UPLOAD_BYTE * settings.FUGONG_MAX_UPLOAD_BYTES
    if len(members) > MAX_ZIP_MEMBERS or sum(member.file_size for member in members) > limit:
        raise _refused(
            _("This workbook unpacks to more than %(limit)s MB: split it into smaller files.")
            % {"limit": megabytes(limit)}
        )


def megabytes(size: int) -> str:
    """A size for people: 10485760 -> "10", 1572864 -> "1.5"."""
    return f"{size / 2**20:.1f}".removesuffix(".0")


def _workbook_table(upload: IO[bytes]) -> _Table:
    data = io.BytesIO(upload.read())
    check_workbook(data)
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The size a sheet declares may lie: rows are read as wide as their cells (or `width`).
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(max_row=1, values_only=True), ())
    except Exception:  # openpyxl raises whatever its parsers meet in a damaged file
        logger.info("Unreadable workbook", exc_info=True)
        raise _refused(_("This is not an Excel (.xlsx) or CSV file.")) from None
    if not header:
        workbook.close()
        raise _refused(_("The file is empty."))

    def rows(width: int) -> Iterator[tuple[int, Sequence[Any]]]:
        number = 1
        cells = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        while True:
            number += 1
            try:
                row = next(cells)
            except StopIteration:
                return
            except Exception:  # a damaged part further in the file
                logger.info("Workbook unreadable at row %d", number, exc_info=True)
                raise _refused(_("The workbook is damaged: it cannot be read from this row on."), number) from None
            yield number, row

    return _Table(header, rows, workbook.close)


def write_workbook(title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    """An .xlsx with a bold header row that `read_rows` reads back."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([str(c.header) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        values = [_export_value(row.get(c.field)) for c in columns]
        sheet.append(values)
        for position, value in enumerate(values, start=1):  # only those cells: max_row would scan the sheet
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                _as_text(sheet.cell(row=number, column=position))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(column.header)) * 2 + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# A cell beginning with one of these is a formula to a spreadsheet program: a site named
# `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` would run when the export is opened (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: Any) -> None:
    """Store such a value as text, shown as typed (quote prefix), never evaluated."""
    cell.data_type = "s"
    cell.quotePrefix = True


def _export_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


EXPORT_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_HEADERS = (gettext_lazy("Row"), gettext_lazy("Column"), gettext_lazy("Problem"))
