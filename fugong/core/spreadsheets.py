"""Reading and writing the spreadsheets offices exchange (xlsx, and CSV from Excel).

Imports are all-or-nothing: readers return every row with its sheet row number, callers
validate all rows, and `ImportRejected` carries every error so the person can fix the
file in one go.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException


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


class ImportRejected(Exception):
    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = list(errors)


MAX_ROWS = 100_000


def read_rows(upload: IO[bytes], filename: str, columns: Sequence[Column]) -> list[Row]:
    """Rows of the first sheet (or the CSV) as text values keyed by column field."""
    raw = _read_table(upload, filename)
    if not raw:
        raise ImportRejected([RowError(1, "", _("The file is empty."))])
    headings = [str(h or "").strip() for h in raw[0]]
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        for column in columns:
            if heading and column.matches(heading) and column.field not in positions:
                positions[column.field] = index
    missing = [str(c.header) for c in columns if c.required and c.field not in positions]
    if missing:
        raise ImportRejected([RowError(1, name, _("This required column is missing.")) for name in missing])
    if len(raw) - 1 > MAX_ROWS:
        raise ImportRejected([RowError(1, "", _("The file has more than %d rows.") % MAX_ROWS)])
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        values = {name: _cell_text(cells[index]) if index < len(cells) else "" for name, index in positions.items()}
        if any(values.values()):
            rows.append(Row(number, values))
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores codes typed as numbers as floats: 360823.0 -> "360823".
        return str(int(value))
    return str(value).strip()


def _read_table(upload: IO[bytes], filename: str) -> list[Sequence[Any]]:
    data = upload.read()
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRejected([RowError(1, "", _("The CSV file is not UTF-8 or GBK text."))])
        return list(csv.reader(io.StringIO(text)))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError):
        raise ImportRejected([RowError(1, "", _("This is not an Excel (.xlsx) or CSV file."))]) from None
    sheet = workbook.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


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
