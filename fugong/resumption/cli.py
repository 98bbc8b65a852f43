"""`fugong resumption_index`: the work-resumption electricity index from files, one CSV row per
day and group. Needs no database, settings or secret: it reads files and writes a CSV, so the
`fugong` command runs it without loading Django (fugong/__main__.py). Bad input stops with the
file, the row, the column and the reason of each problem."""

import argparse
import csv
import sys
from datetime import date
from typing import Any

from . import engine, inputs

COLUMNS = ("accounts", "excluded", "resumed", "account_ratio", "consumption_ratio", "index", "rank")


class Refused(ValueError):
    """The command cannot run as asked; the message says why (in English, like the options)."""


def period(text: str) -> tuple[date, date]:
    try:
        start, end = text.split(":")
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise Refused(f"“{text}” is not a period like 2019-10-01:2019-12-31") from None


def add_arguments(parser: Any) -> None:
    """The options, shared with the Django management command of the same name."""
    parser.add_argument("--accounts", required=True, help="accounts file (Parquet or CSV): account_id, ...")
    parser.add_argument("--readings", required=True, help="readings file: account_id, day, kwh")
    parser.add_argument("--suspensions", help="suspension periods: account_id, start, end (left out)")
    parser.add_argument("--baseline", help="baseline window START:END (window and day_type)")
    parser.add_argument("--baseline-kind", default=engine.WINDOW, choices=engine.BASELINES)
    parser.add_argument("--days", required=True, help="days to compute, START:END")
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--weight", type=float, default=0.5, help="weight of the consumption ratio")
    parser.add_argument("--by", nargs="*", default=[], help="account columns to group by")
    parser.add_argument("--year-before", action="store_true", help="add the same day a year earlier")
    parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    parser.add_argument("--out", required=True, help="the CSV to write")


def write_index(options: dict[str, Any]) -> str:
    """Check the files, compute, write the CSV; returns what to tell the person. Raises Refused."""
    try:
        method = engine.Method(
            days=period(options["days"]),
            baseline=period(options["baseline"]) if options["baseline"] else None,
            baseline_kind=options["baseline_kind"],
            threshold=options["threshold"],
            weight=options["weight"],
            by=tuple(options["by"]),
            year_before=options["year_before"],
        )
        known = inputs.account_ids(options["accounts"])
        inputs.check_readings(options["readings"], known)
    except (engine.MethodError, inputs.InputError) as error:
        raise Refused(str(error)) from None
    con = _connect(options["engine"])
    accounts, readings, periods = engine.read_inputs(
        con, options["accounts"], options["readings"], options["suspensions"]
    )
    missing = [name for name in method.by if name not in accounts.columns]
    if missing:
        raise Refused(f"{options['accounts']}: no column {', '.join(missing)} to group by")
    result = engine.rounded(engine.resumption_index(accounts, readings, method, periods).to_pyarrow())
    columns = ["day", *method.by, *COLUMNS, *(["index_year_before"] if method.year_before else [])]
    with open(options["out"], "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in result.to_pylist():
            writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return f"{result.num_rows} rows written to {options['out']}"


def _connect(name: str) -> Any:
    import ibis

    if name == "duckdb":
        return engine.connect_duckdb()
    from pyspark.sql import SparkSession

    # Days are dates, not instants: a session clock of UTC keeps Spark from shifting them.
    builder = SparkSession.builder.appName("fugong-resumption").config("spark.sql.session.timeZone", "UTC")
    return ibis.pyspark.connect(builder.getOrCreate())


def resumption_index(argv: list[str]) -> int:
    """The command line: 0 when the CSV is written, 2 when the input is refused."""
    parser = argparse.ArgumentParser(
        prog="fugong resumption_index",
        description="Compute the work-resumption electricity index from account and meter-reading files.",
    )
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        print(write_index(options))
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    return 0
