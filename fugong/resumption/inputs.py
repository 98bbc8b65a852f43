"""Reading the engine's input files (Parquet or CSV) and refusing bad ones by file, row and
reason before anything is computed: a negative kWh, the same account and day twice, an
account the accounts file does not have, a day that is not a date. No Django here.

Files are checked in batches with Arrow, so a file of tens of millions of readings is never
held in memory at once; rows are counted as people see them (a CSV's header is row 1).
"""

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


class InputError(ValueError):
    def __init__(self, path: str, row: int | None, reason: str) -> None:
        where = f"{Path(path).name}, row {row}" if row is not None else Path(path).name
        super().__init__(f"{where}: {reason}")
        self.path, self.row, self.reason = path, row, reason


@dataclass(frozen=True)
class Batch:
    first_row: int  # the row number people see for the batch's first record
    table: pa.Table


def _batches(path: str, columns: dict[str, pa.DataType]) -> Iterator[Batch]:
    if path.endswith(".parquet"):
        parquet = pq.ParquetFile(path)
        missing = [name for name in columns if name not in parquet.schema_arrow.names]
        if missing:
            raise InputError(path, None, f"missing column(s): {', '.join(missing)}")
        row = 1
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=list(columns)):
            yield Batch(row, pa.Table.from_batches([batch]))
            row += batch.num_rows
        return
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()), include_columns=list(columns))
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=64 << 20), convert_options=options)
    except (pa.ArrowInvalid, KeyError) as error:
        raise InputError(path, None, f"cannot read the columns {', '.join(columns)}: {error}") from None
    row = 2  # after the header
    for batch in reader:
        yield Batch(row, pa.Table.from_batches([batch]))
        row += batch.num_rows


def _first(mask: Any) -> int | None:
    index = pc.index(mask, True).as_py()
    return None if index == -1 else index


def _as_type(batch: Batch, path: str, name: str, target: pa.DataType, what: str) -> pa.Array:
    column = batch.table[name]
    if column.type == target:
        return column
    try:
        return pc.cast(column, target)  # strict: 2020-02-31 is refused, not rolled over
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Only on failure: find the first value that does not convert, for the message.
        for offset, value in enumerate(column.to_pylist()):
            try:
                pa.array([value], column.type).cast(target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise InputError(path, batch.first_row + offset, f"“{value}” is not a {what}") from None
        raise


def account_ids(path: str) -> pa.Array:
    """The account ids of an accounts file; each once."""
    ids = []
    seen: set[str] = set()
    for batch in _batches(path, {"account_id": ID_TYPE}):
        column = pc.cast(batch.table["account_id"], ID_TYPE)
        for offset, value in enumerate(column.to_pylist()):
            if value in (None, ""):
                raise InputError(path, batch.first_row + offset, "an account without its id")
            if value in seen:
                raise InputError(path, batch.first_row + offset, f"account {value} appears twice")
            seen.add(value)
        ids.append(column)
    return pa.concat_arrays([c.combine_chunks() for c in ids]) if ids else pa.array([], ID_TYPE)


def check_readings(path: str, known: pa.Array) -> int:
    """Raise InputError at the first bad reading; returns how many readings there are."""
    total = 0
    columns = {"account_id": ID_TYPE, "day": pa.date32(), "kwh": pa.float64()}
    for batch in _batches(path, columns):
        ids = pc.cast(batch.table["account_id"], ID_TYPE)
        _as_type(batch, path, "day", pa.date32(), "date like 2020-02-10")
        kwh = _as_type(batch, path, "kwh", pa.float64(), "number of kWh")
        if (bad := _first(pc.fill_null(pc.less(kwh, 0), False))) is not None:
            raise InputError(path, batch.first_row + bad, f"negative kWh ({kwh[bad].as_py()})")
        if (bad := _first(pc.is_null(kwh))) is not None:
            raise InputError(path, batch.first_row + bad, "no kWh")
        if (bad := _first(pc.invert(pc.is_in(ids, value_set=known)))) is not None:
            raise InputError(path, batch.first_row + bad, f"account {ids[bad].as_py()} is not in the accounts file")
        total += batch.table.num_rows
    _check_duplicates(path)
    return total


def _check_duplicates(path: str) -> None:
    """The same account and day twice: DuckDB finds it, then the second row is located."""
    reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
    options = "" if path.endswith(".parquet") else ", all_varchar = true"
    query = (
        f"SELECT CAST(account_id AS VARCHAR), CAST(day AS VARCHAR) FROM {reader}(?{options}) "  # noqa: S608 - fixed text
        "GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 1"
    )
    found = duckdb.connect().execute(query, [path]).fetchone()
    if found is None:
        return
    account, day = found
    seen = 0
    for batch in _batches(path, {"account_id": ID_TYPE, "day": pa.string()}):
        ids = pc.cast(batch.table["account_id"], ID_TYPE)
        days = pc.cast(batch.table["day"], pa.string())
        hits = pc.and_(pc.equal(ids, account), pc.equal(pc.utf8_slice_codeunits(days, 0, 10), day[:10]))
        for offset in pc.indices_nonzero(hits).to_pylist():
            seen += 1
            if seen == 2:
                raise InputError(path, batch.first_row + offset, f"account {account} has two readings for {day[:10]}")
    raise InputError(path, None, f"account {account} has two readings for {day[:10]}")
