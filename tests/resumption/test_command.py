"""`fugong resumption_index` from files: the CSV it writes, and bad input stopped by file, row
and reason before anything is computed."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

ACCOUNTS = "account_id,county,industry\n1,A,m\n2,A,t\n3,A,t\n4,B,m\n5,B,t\n6,B,t\n"
READINGS = """account_id,day,kwh
1,2019-12-01,100
1,2019-12-02,100
2,2019-12-01,50
2,2019-12-02,150
3,2019-12-01,40
4,2019-12-01,0
5,2019-12-01,200
5,2019-12-02,200
1,2020-02-10,30
2,2020-02-10,29
3,2020-02-10,40
4,2020-02-10,500
5,2020-02-10,59
6,2020-02-10,10
"""


@pytest.fixture
def files(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    return write


def run(files, readings=READINGS, *extra, accounts=ACCOUNTS):
    out = files("out.csv", "")
    call_command(
        "resumption_index",
        "--accounts",
        files("accounts.csv", accounts),
        "--readings",
        files("readings.csv", readings),
        "--baseline",
        "2019-12-01:2019-12-02",
        "--days",
        "2020-02-10:2020-02-10",
        "--out",
        out,
        *extra,
    )
    with open(out, encoding="utf-8") as written:
        return list(csv.DictReader(written))


def test_the_command_writes_one_row_per_day_and_group(files):
    rows = run(files, READINGS, "--by", "county")
    assert list(rows[0]) == [
        "day", "county", "accounts", "excluded", "resumed", "account_ratio", "consumption_ratio", "index", "rank"
    ]  # fmt: skip
    assert [tuple(r.values()) for r in rows] == [
        ("2020-02-10", "A", "3", "0", "2", "66.67", "29.17", "47.92", "1"),
        ("2020-02-10", "B", "1", "2", "0", "0.0", "0.0", "0.0", "2"),
    ]
    [whole] = run(files, READINGS, "--threshold", "0.25")
    assert (whole["resumed"], whole["index"]) == ("4", "67.95")


def test_parquet_input_gives_the_same_rows(files, tmp_path):
    table = pacsv.read_csv(files("r.csv", READINGS))
    pq.write_table(table, tmp_path / "readings.parquet")
    out = tmp_path / "p.csv"
    call_command(
        "resumption_index",
        "--accounts",
        files("accounts.csv", ACCOUNTS),
        "--readings",
        str(tmp_path / "readings.parquet"),
        "--baseline",
        "2019-12-01:2019-12-02",
        "--days",
        "2020-02-10:2020-02-10",
        "--out",
        str(out),
    )
    assert next(csv.DictReader(out.open()))["index"] == "32.95"


def test_spark_writes_the_same_rows_as_duckdb(files, spark):
    # Two days, the same days a year earlier, a suspension on the first day, two groupings.
    readings = READINGS + "".join(f"{a},2020-02-11,45\n" for a in (1, 2, 3, 5)) + "1,2019-02-10,100\n5,2019-02-11,10\n"
    suspensions = files("suspensions.csv", "account_id,start,end\n2,2020-02-10,2020-02-10\n")
    options = ("--by", "county", "industry", "--suspensions", suspensions, "--days", "2020-02-10:2020-02-11",
               "--year-before")  # fmt: skip
    duck = run(files, readings, *options)
    assert len(duck) == 6 and {r["index_year_before"] for r in duck} - {""}  # a year earlier where read
    assert run(files, readings, *options, "--engine", "spark") == duck


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("2,2020-02-11,-5", "readings.csv, row 16: negative kWh (-5.0)"),
        ("1,2020-02-10,31", "readings.csv, row 16: account 1 has two readings for 2020-02-10"),
        ("9,2020-02-10,10", "readings.csv, row 16: account 9 is not in the accounts file"),
        ("1,2020-02-31,10", "readings.csv, row 16: “2020-02-31” is not a date like 2020-02-10"),
        ("1,2020-02-12,lots", "readings.csv, row 16: “lots” is not a number of kWh"),
    ],
)
def test_bad_input_stops_with_the_file_row_and_reason(files, bad_line, reason):
    with pytest.raises(CommandError) as stopped:
        run(files, READINGS + bad_line + "\n")
    assert str(stopped.value) == reason


def test_a_grouping_column_the_accounts_lack_is_named(files):
    with pytest.raises(CommandError, match="no column town"):
        run(files, READINGS, "--by", "town")
    with pytest.raises(CommandError, match=re.escape("accounts.csv, row 3: account 1 appears twice")):
        run(files, READINGS, accounts="account_id\n1\n1\n")


def test_the_command_runs_in_a_fresh_shell_with_no_environment(files, tmp_path):
    """#21 item 13: the index from files needs nothing but its files: no SECRET_KEY, no DEBUG,
    no database. `env -i` leaves the command no environment variable at all."""
    command = Path(sys.executable).with_name("fugong")
    args = ["--accounts", files("accounts.csv", ACCOUNTS), "--baseline", "2019-12-01:2019-12-02",
            "--days", "2020-02-10:2020-02-10", "--by", "county", "--out", str(tmp_path / "out.csv")]  # fmt: skip

    def fugong(readings: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["env", "-i", str(command), "resumption_index", "--readings", files("readings.csv", readings), *args],  # noqa: S607
            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    done = fugong(READINGS)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"2 rows written to {tmp_path / 'out.csv'}\n", "")
    assert [r["index"] for r in csv.DictReader((tmp_path / "out.csv").open())] == ["47.92", "0.0"]
    refused = fugong(READINGS + "1,2020-13-40,1\n9,2020-02-10,1\n")
    assert refused.returncode == 2 and refused.stderr == (
        "readings.csv, row 16: “2020-13-40” is not a date like 2020-02-10\n"
        "readings.csv, row 17: account 9 is not in the accounts file\n"
    )


def test_every_problem_is_listed_up_to_a_limit_and_the_rest_counted(files):
    bad = "".join(f"{n % 6 + 1},2020-03-{n % 28 + 1:02d},-{n}\n" for n in range(250))
    with pytest.raises(CommandError) as stopped:
        run(files, READINGS + "1,2020-02-10,oops\n" + bad)
    lines = str(stopped.value).splitlines()
    assert lines[:3] == [  # by row, then column
        "readings.csv, row 16: account 1 has two readings for 2020-02-10",
        "readings.csv, row 16: “oops” is not a number of kWh",
        "readings.csv, row 18: negative kWh (-1.0)",
    ]
    # 1 + 1 on row 16, 249 negative, and 166 repeated (the 250 rows hold 84 account-days)
    assert len(lines) == 201 and lines[-1] == "…and 217 more problems"
