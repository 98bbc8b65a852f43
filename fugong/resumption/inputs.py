"""Reading the engine's input files (Parquet or CSV) and refusing bad ones before anything is
computed, with every problem by row, column and reason: a day that is not a date, a kWh that is
not a number or is negative, an account the accounts file does not have, the same account and
day twice. No Django here: a problem is data (row, column, code, value); the command line words
it in English (`Problem.reason`), the platform in the person's language.

Files are checked in batches with Arrow, so a file of tens of millions of readings is never
held in memory at once; rows are counted as people see them (a CSV's header is row 1). The
first MAX_PROBLEMS problems are kept, the rest only counted, so a file wrong on every row costs
no more than one wrong on a few.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

BATCH_ROWS = 1_000_000
ID_TYPE = pa.string()  # account ids are compared as text: 0012 and 12 are different meters
MAX_PROBLEMS = 200

# What can be wrong, in English for the command line; the platform words each code itself.
MISSING_COLUMN = "missing_column"
UNREADABLE = "unreadable"
EMPTY = "empty"
NOT_A_DATE = "not_a_date"
NOT_A_NUMBER = "not_a_number"
NEGATIVE = "negative"
UNKNOWN_ACCOUNT = "unknown_account"
ACCOUNT_TWICE = "account_twice"
READING_TWICE = "reading_twice"
REASONS = {
    MISSING_COLUMN: "missing column {column}",
    UNREADABLE: "cannot be read: {value}",
    EMPTY: "no {column}",
    NOT_A_DATE: "“{value}” is not a date like 2020-02-10",
    NOT_A_NUMBER: "“{value}” is not a number of kWh",
    NEGATIVE: "negative kWh ({value})",
    UNKNOWN_ACCOUNT: "account {value} is not in the accounts file",
    ACCOUNT_TWICE: "account {value} appears twice",
    READING_TWICE: "account {value} has two readings for {day}",
}
COLUMN_ORDER = {"account_id": 0, "day": 1, "kwh": 2}
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


@dataclass(frozen=True)
class Problem:
    row: int | None  # as people see it; None: the file as a whole
    column: str  # the file's own column name; "" for the whole row or file
    code: str  # one of REASONS
    value: str = ""  # the offending value, as written
    day: str = ""  # READING_TWICE: the day read twice

    def reason(self) -> str:
        return REASONS[self.code].format(column=self.column, value=self.value, day=self.day)


class InputError(ValueError):
    """A file refused: its first MAX_PROBLEMS problems in row order, and how many there are."""

    def __init__(self, path: str, problems: list[Problem], total: int | None = None) -> None:
        order = sorted(problems, key=lambda p: (p.row or 0, COLUMN_ORDER.get(p.column, 0)))
        self.path, self.problems = path, order[:MAX_PROBLEMS]
        self.total = max(total or 0, len(problems))
        name = Path(path).name
        lines = [f"{name}, row {p.row}: {p.reason()}" if p.row else f"{name}: {p.reason()}" for p in self.problems]
        if self.more:
            lines.append(f"…and {self.more} more problems")
        super().__init__("\n".join(lines))

    @property
    def more(self) -> int:
        return self.total - len(self.problems)


class _Found:
    """Problems as they are found, all counted; the first MAX_PROBLEMS of each kind kept, so the
    first MAX_PROBLEMS by row can be listed whatever kind of problem comes first."""

    def __init__(self) -> None:
        self.kept: dict[str, list[Problem]] = {}
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        kept = self.kept.setdefault(problem.code, [])
        if len(kept) < MAX_PROBLEMS:
            kept.append(problem)

    def rows(self, batch: "Batch", mask: Any, column: str, code: str, values: Any) -> None:
        """Every row of a batch where `mask` holds."""
        mask = pc.fill_null(mask, False)
        self.total += pc.sum(mask).as_py() or 0
        kept = self.kept.setdefault(code, [])
        for index in pc.indices_nonzero(mask).to_pylist()[: max(MAX_PROBLEMS - len(kept), 0)]:
            value = values[index].as_py()
            kept.append(Problem(batch.first_row + index, column, code, "" if value is None else str(value)))

    def raise_if_any(self, path: str) -> None:
        if self.total:
            raise InputError(path, [p for kept in self.kept.values() for p in kept], self.total)


@dataclass(frozen=True)
class Batch:
    first_row: int  # the row number people see for the batch's first record
    table: pa.Table


def _batches(path: str, columns: dict[str, pa.DataType]) -> Iterator[Batch]:
    if path.endswith(".parquet"):
        parquet = pq.ParquetFile(path)
        missing = [name for name in columns if name not in parquet.schema_arrow.names]
        if missing:
            raise InputError(path, [Problem(1, name, MISSING_COLUMN) for name in missing])
        row = 1
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=list(columns)):
            yield Batch(row, pa.Table.from_batches([batch]))
            row += batch.num_rows
        return
    with open(path, encoding="utf-8-sig", newline="") as text:
        try:
            header = next(csv.reader(text), [])
        except (UnicodeDecodeError, csv.Error) as error:
            raise InputError(path, [Problem(None, "", UNREADABLE, str(error))]) from None
    missing = [name for name in columns if name not in header]
    if missing:
        raise InputError(path, [Problem(1, name, MISSING_COLUMN) for name in missing])
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()), include_columns=list(columns))
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=64 << 20), convert_options=options)
    except (pa.ArrowInvalid, KeyError) as error:
        raise InputError(path, [Problem(None, "", UNREADABLE, str(error))]) from None
    row = 2  # after the header
    for batch in reader:
        yield Batch(row, pa.Table.from_batches([batch]))
        row += batch.num_rows


def _empty(column: Any) -> Any:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.or_(pc.is_null(column), pc.equal(pc.utf8_trim_whitespace(column), ""))
    return pc.is_null(column)


def _bad_values(column: Any, target: pa.DataType, pattern: str) -> Any:
    """Where the values that are present do not convert to `target`, strictly (2020-02-31 is
    refused, not rolled over to March), as a mask; each value is tested on its own only when the
    whole column does not convert."""
    present = pc.invert(_empty(column))
    none = pc.and_(present, pa.scalar(False))
    if column.type == target:
        return none  # nothing to convert; empty cells are reported apart
    try:
        pc.cast(pc.filter(column, present), target)
        return none
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        good = pc.match_substring_regex(column, pattern)
        if target == pa.date32():  # the text round-trips: 2020-02-31 would come back as 2020-03-02
            parsed = pc.strptime(column, "%Y-%m-%d", "s", error_is_null=True)
            good = pc.and_(good, pc.equal(pc.strftime(parsed, "%Y-%m-%d"), column))
        good = pc.fill_null(good, False)
        try:
            pc.cast(pc.filter(column, good), target)
            return pc.and_(present, pc.invert(good))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    flags = []
    for value in column.to_pylist():
        try:
            pa.array([value], column.type).cast(target)
            flags.append(False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            flags.append(value is not None)
    return pa.array(flags, pa.bool_())


def account_ids(path: str) -> pa.Array:
    """The account ids of an accounts file; each once. Raises InputError with every empty or
    repeated id."""
    ids = []
    found = _Found()
    seen: set[str] = set()
    for batch in _batches(path, {"account_id": ID_TYPE}):
        column = pc.cast(batch.table["account_id"], ID_TYPE)
        for offset, value in enumerate(column.to_pylist()):
            if value in (None, ""):
                found.add(Problem(batch.first_row + offset, "account_id", EMPTY))
            elif value in seen:
                found.add(Problem(batch.first_row + offset, "account_id", ACCOUNT_TWICE, value))
            seen.add(value)
        ids.append(column)
    found.raise_if_any(path)
    return pa.concat_arrays([c.combine_chunks() for c in ids]) if ids else pa.array([], ID_TYPE)


def check_readings(path: str, known: pa.Array) -> int:
    """Raise InputError with every bad reading; returns how many readings there are."""
    total = 0
    found = _Found()
    columns = {"account_id": ID_TYPE, "day": pa.date32(), "kwh": pa.float64()}
    for batch in _batches(path, columns):
        table = batch.table
        ids = pc.cast(table["account_id"], ID_TYPE)
        found.rows(batch, _empty(ids), "account_id", EMPTY, ids)
        unknown = pc.and_(pc.invert(_empty(ids)), pc.invert(pc.is_in(ids, value_set=known)))
        found.rows(batch, unknown, "account_id", UNKNOWN_ACCOUNT, ids)
        found.rows(batch, _empty(table["day"]), "day", EMPTY, table["day"])
        found.rows(batch, _bad_values(table["day"], pa.date32(), DATE_TEXT), "day", NOT_A_DATE, table["day"])
        kwh = table["kwh"]
        found.rows(batch, _empty(kwh), "kwh", EMPTY, kwh)
        bad_kwh = _bad_values(kwh, pa.float64(), NUMBER_TEXT)
        found.rows(batch, bad_kwh, "kwh", NOT_A_NUMBER, kwh)
        unusable = pc.fill_null(pc.or_(bad_kwh, _empty(kwh)), True)
        numbers = pc.cast(pc.if_else(unusable, pa.scalar(None, kwh.type), kwh), pa.float64())
        found.rows(batch, pc.less(numbers, 0), "kwh", NEGATIVE, numbers)
        total += table.num_rows
    _duplicates(path, found)
    found.raise_if_any(path)
    return total


def _duplicates(path: str, found: _Found) -> None:
    """The same account and day twice: DuckDB finds and counts them, then the repeated rows of
    the first MAX_PROBLEMS are located."""
    reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
    options = "" if path.endswith(".parquet") else ", all_varchar = true"
    query = (
        f"SELECT CAST(account_id AS VARCHAR), left(CAST(day AS VARCHAR), 10), count(*) "  # noqa: S608 - fixed text
        f"FROM {reader}(?{options}) GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2"
    )
    twice = duckdb.connect().execute(query, [path]).fetchall()
    if not twice:
        return
    located = {f"{account}\x00{day}" for account, day, _n in twice[:MAX_PROBLEMS]}
    repeats = sum(n - 1 for _a, _d, n in twice)
    seen: dict[str, int] = {}
    reported = 0
    for batch in _batches(path, {"account_id": ID_TYPE, "day": pa.string()}):
        ids = pc.cast(batch.table["account_id"], ID_TYPE)
        days = pc.utf8_slice_codeunits(pc.cast(batch.table["day"], pa.string()), 0, 10)
        keys = pc.binary_join_element_wise(ids, days, "\x00")
        for offset in pc.indices_nonzero(pc.fill_null(pc.is_in(keys, value_set=pa.array(located)), False)).to_pylist():
            key = keys[offset].as_py()
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                account, day = key.split("\x00")
                found.add(Problem(batch.first_row + offset, "day", READING_TWICE, account, day))
                reported += 1
    found.total += repeats - reported  # those of the keys not located
