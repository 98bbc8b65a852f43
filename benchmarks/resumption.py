"""Resumption index at province scale: 1,000,000 enterprise accounts x 60 days (60 M readings,
Parquet; 30 baseline days, 30 days computed by county). Prints our engine's time and peak
memory, and its ratio to DuckDB's bare `SELECT account_id, sum(kwh) ... GROUP BY 1` on the
same file and to a plain pandas implementation of the same method, all measured in this run.
Target: within 1.5x of the bare scan, under 3 GB peak, on a 2-core machine.

Each measurement runs in its own process, so its peak memory is its own.
Run: `make bench` (or `uv run python benchmarks/resumption.py [--accounts N]`).
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASELINE = (date(2019, 12, 1), date(2019, 12, 30))
DAYS = (date(2020, 2, 1), date(2020, 3, 1))
COUNTIES = [f"3311{n:02d}" for n in (2, 21, 22, 23, 24, 25, 26, 27, 81)]


def generate(folder: Path, accounts: int) -> tuple[Path, Path]:
    """Accounts with a county and an industry; daily kWh around each account's own level,
    lower after the Spring Festival and climbing back (a share of accounts still closed)."""
    rng = np.random.default_rng(2020)
    ids = np.arange(accounts, dtype=np.int64)
    level = rng.lognormal(mean=6.0, sigma=1.2, size=accounts)
    counties = rng.integers(0, len(COUNTIES), size=accounts)
    account_path, reading_path = folder / "accounts.parquet", folder / "readings.parquet"
    pq.write_table(
        pa.table(
            {
                "account_id": ids,
                "county": pa.array(np.array(COUNTIES)[counties]),
                "industry": pa.array(rng.integers(1, 12, size=accounts).astype(np.int8)),
            }
        ),
        account_path,
    )
    reopen = rng.integers(0, 40, size=accounts)  # days after 1 Feb each account comes back
    days = [BASELINE[0] + timedelta(days=n) for n in range(30)] + [DAYS[0] + timedelta(days=n) for n in range(30)]
    schema = pa.schema([("account_id", pa.int64()), ("day", pa.date32()), ("kwh", pa.float64())])
    with pq.ParquetWriter(reading_path, schema) as writer:
        for number, day in enumerate(days):
            factor = np.ones(accounts) if number < 30 else np.where(reopen <= number - 30, 0.9, 0.1)
            kwh = level * factor * rng.uniform(0.8, 1.2, size=accounts)
            day_column = pa.array(np.full(accounts, (day - date(1970, 1, 1)).days, dtype=np.int32), pa.date32())
            writer.write_table(pa.table({"account_id": ids, "day": day_column, "kwh": kwh}, schema=schema))
    return account_path, reading_path


def connect(name: str) -> Any:
    """What a runner sets up before the clock starts: its connection."""
    if name == "engine":
        from fugong.resumption import engine

        return engine.connect_duckdb(threads=2)
    if name == "bare":
        import duckdb

        con = duckdb.connect()
        con.execute("SET threads = 2")
        return con
    return None


def run_engine(con: Any, accounts: str, readings: str) -> int:
    from fugong.resumption import engine

    method = engine.Method(days=DAYS, baseline=BASELINE, by=("county",), year_before=False)
    result = engine.resumption_index(con.read_parquet(accounts), con.read_parquet(readings), method).to_pyarrow()
    return result.num_rows


def run_bare(con: Any, _accounts: str, readings: str) -> int:
    query = "SELECT account_id, sum(kwh) FROM read_parquet(?) GROUP BY 1"
    return len(con.execute(query, [readings]).fetchall())


def run_pandas(_con: Any, accounts: str, readings: str) -> int:
    """The same method in plain pandas: baseline means, then per day and county."""
    import pandas as pd

    people = pd.read_parquet(accounts, columns=["account_id", "county"])
    data = pd.read_parquet(readings)
    day = pd.to_datetime(data["day"])
    in_base = (day >= pd.Timestamp(BASELINE[0])) & (day <= pd.Timestamp(BASELINE[1]))
    base = data[in_base].groupby("account_id")["kwh"].mean().rename("baseline")
    base = base[base > 0]
    in_days = (day >= pd.Timestamp(DAYS[0])) & (day <= pd.Timestamp(DAYS[1]))
    scored = data[in_days].join(base, on="account_id", how="inner").merge(people, on="account_id")
    scored["resumed"] = scored["kwh"] >= 0.3 * scored["baseline"]
    resumed = scored[scored["resumed"]].groupby(["day", "county"]).agg(resumed=("kwh", "size"), kwh=("kwh", "sum"))
    included = people.join(base, on="account_id", how="inner").groupby("county")["baseline"].agg(["size", "sum"])
    out = resumed.join(included, on="county")
    out["index"] = 50 * out["kwh"] / out["sum"] + 50 * out["resumed"] / out["size"]
    return len(out)


RUNNERS = {"engine": run_engine, "bare": run_bare, "pandas": run_pandas}


def measure(name: str, accounts: Path, readings: Path) -> dict[str, float]:
    """One runner in a fresh process: seconds and peak resident memory."""
    output = subprocess.run(
        [sys.executable, __file__, "--run", name, str(accounts), str(readings)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--run", nargs=3, metavar=("RUNNER", "ACCOUNTS", "READINGS"))
    args = parser.parse_args()
    if args.run:
        name, accounts, readings = args.run
        import duckdb  # noqa: F401 - imports are not part of the work timed
        import ibis.backends.duckdb  # noqa: F401 - ibis loads its backend on first connect
        import pandas  # noqa: F401

        from fugong.resumption import engine  # noqa: F401

        con = connect(name)
        start = time.perf_counter()
        rows = RUNNERS[name](con, accounts, readings)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({"seconds": seconds, "peak_bytes": peak, "rows": rows}))
        return
    with tempfile.TemporaryDirectory(prefix="fugong-resumption-") as folder:
        started = time.perf_counter()
        accounts, readings = generate(Path(folder), args.accounts)
        size = readings.stat().st_size / 2**20
        print(
            f"generated {args.accounts:,} accounts x 60 days in {time.perf_counter() - started:.1f} s ({size:.0f} MB)"
        )
        results = {name: measure(name, accounts, readings) for name in ("bare", "engine", "pandas")}
    engine_s, bare_s, pandas_s = (results[n]["seconds"] for n in ("engine", "bare", "pandas"))
    for name, result in results.items():
        print(
            f"{name:7s} {result['seconds']:7.2f} s  peak {result['peak_bytes'] / 2**30:5.2f} GB  rows {result['rows']}"
        )
    peak_gb = results["engine"]["peak_bytes"] / 2**30
    print(f"engine / bare DuckDB scan: {engine_s / bare_s:.2f}x (target <= 1.5x)")
    print(f"engine / pandas:           {engine_s / pandas_s:.2f}x")
    print(f"engine peak memory:        {peak_gb:.2f} GB (target < 3 GB)")


if __name__ == "__main__":
    main()
