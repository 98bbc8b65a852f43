"""The resumption index engine: the Zhejiang worked example, each method option on cases
computed by hand (DuckDB and Spark giving the same figures: test_command)."""

from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from fugong.resumption import engine
from fugong.resumption.engine import Method


def run(accounts, readings, method, suspensions=None):
    con = engine.connect_duckdb()
    tables = [con.create_table(name, data) for name, data in (("accounts", accounts), ("readings", readings))]
    periods = con.create_table("suspensions", suspensions) if suspensions is not None else None
    return engine.rounded(engine.resumption_index(*tables, method, periods).to_pyarrow()).to_pylist()


def test_the_zhejiang_worked_example_of_10_february_2020():
    """64,590 of 333,427 enterprises resumed (19.37%); their 405,416,500 kWh were 31.47% of the
    baseline daily 1,288,070,200 kWh; index 25.42."""
    n, resumed = 333_427, 64_590
    baseline = np.full(n, 1_288_070_200 // n, dtype=np.int64)
    baseline[: 1_288_070_200 - baseline.sum()] += 1
    today = np.full(n, 1000, dtype=np.int64)  # below 30% of ~3,863 kWh: not resumed
    today[:resumed] = 405_416_500 // resumed
    today[: 405_416_500 - today[:resumed].sum()] += 1
    ids = np.arange(n)
    accounts = pa.table({"account_id": ids})
    readings = pa.table(
        {
            "account_id": np.concatenate([ids, ids]),
            "day": pa.array([date(2019, 12, 2)] * n + [date(2020, 2, 10)] * n, pa.date32()),
            "kwh": np.concatenate([baseline, today]).astype(np.float64),
        }
    )
    method = Method(days=(date(2020, 2, 10), date(2020, 2, 10)), baseline=(date(2019, 12, 2), date(2019, 12, 2)))
    [row] = run(accounts, readings, method)
    assert (row["accounts"], row["excluded"], row["resumed"]) == (333_427, 0, 64_590)
    assert (row["account_ratio"], row["consumption_ratio"], row["index"]) == (19.37, 31.47, 25.42)
    assert row["rank"] == 1 and row["index_year_before"] is None


A1, A2, A3, A4, A5, A6 = range(1, 7)
ACCOUNTS = pa.table(
    {
        "account_id": [A1, A2, A3, A4, A5, A6],
        "county": ["A", "A", "A", "B", "B", "B"],
        "industry": ["m", "t", "t", "m", "t", "t"],
    }
)
DEC1, DEC2, FEB10 = date(2019, 12, 1), date(2019, 12, 2), date(2020, 2, 10)
# Baselines: A1 100, A2 (50+150)/2 = 100, A3 40 (one day read), A4 zero, A5 200, A6 none.
# 10 February: A1 30 (>= 30), A2 29, A3 40, A4 500 and A6 10 (excluded), A5 59 (< 60).
READINGS = [
    (A1, DEC1, 100), (A1, DEC2, 100), (A2, DEC1, 50), (A2, DEC2, 150), (A3, DEC1, 40),
    (A4, DEC1, 0), (A4, DEC2, 0), (A5, DEC1, 200), (A5, DEC2, 200),
    (A1, FEB10, 30), (A2, FEB10, 29), (A3, FEB10, 40), (A4, FEB10, 500), (A5, FEB10, 59), (A6, FEB10, 10),
]  # fmt: skip


def readings_of(rows):
    ids, days, kwh = zip(*rows, strict=True)
    return pa.table({"account_id": ids, "day": pa.array(days, pa.date32()), "kwh": pa.array(kwh, pa.float64())})


def method(**options):
    return Method(**{"days": (FEB10, FEB10), "baseline": (DEC1, DEC2), **options})


def figures(row):
    keys = ("accounts", "excluded", "resumed", "account_ratio", "consumption_ratio", "index")
    return tuple(row[k] for k in keys)


def test_zero_or_missing_baselines_are_excluded_and_counted():
    [row] = run(ACCOUNTS, readings_of(READINGS), method())
    # 2 of 4 resumed; (30 + 40) / (100 + 100 + 40 + 200) = 15.909%; (15.909 + 50) / 2.
    assert figures(row) == (4, 2, 2, 50.0, 15.91, 32.95)


def test_threshold_and_weight():
    [lower] = run(ACCOUNTS, readings_of(READINGS), method(threshold=0.25))
    assert figures(lower) == (4, 2, 4, 100.0, 35.91, 67.95)  # 158 / 440; (35.909 + 100) / 2
    [weighted] = run(ACCOUNTS, readings_of(READINGS), method(weight=0.8))
    assert weighted["index"] == 22.73  # 0.8 x 15.909 + 0.2 x 50


def test_groups_are_ranked_within_their_parent():
    by_county = run(ACCOUNTS, readings_of(READINGS), method(by=("county",)))
    assert [(r["county"], *figures(r), r["rank"]) for r in by_county] == [
        ("A", 3, 0, 2, 66.67, 29.17, 47.92, 1),  # 70 / 240
        ("B", 1, 2, 0, 0.0, 0.0, 0.0, 2),
    ]
    nested = run(ACCOUNTS, readings_of(READINGS), method(by=("county", "industry")))
    assert list(nested[0]) == ["day", "county", "industry", *engine.OUTPUT_FIGURES, "index_year_before"]
    ranks = {(r["county"], r["industry"]): r["rank"] for r in nested}
    # Within county A: m (A1 resumed, 100%/30%) before t (A3 of A2, A3); B ranks its own.
    assert ranks == {("A", "m"): 1, ("A", "t"): 2, ("B", "t"): 1}  # B's m has no baseline


def test_suspended_accounts_are_left_out_on_their_days():
    periods = pa.table(
        {
            "account_id": [A2, A5],
            "start": pa.array([date(2020, 2, 9), date(2020, 2, 11)], pa.date32()),
            "end": pa.array([date(2020, 2, 11), date(2020, 2, 20)], pa.date32()),
        }
    )
    [row] = run(ACCOUNTS, readings_of(READINGS), method(), periods)
    # A2 is out; A5's suspension starts the next day. 70 / (100 + 40 + 200) = 20.588%.
    assert figures(row) == (3, 3, 2, 66.67, 20.59, 43.63)


def test_the_same_day_a_year_earlier_where_the_readings_reach_back():
    earlier = date(2019, 2, 10)
    rows = [*READINGS, (A1, earlier, 100), (A2, earlier, 100), (A3, earlier, 40), (A5, earlier, 200)]
    [row] = run(ACCOUNTS, readings_of(rows), method())
    assert row["index_year_before"] == 100.0  # everyone at their baseline
    [alone] = run(ACCOUNTS, readings_of(READINGS), method())
    assert alone["index_year_before"] is None


def test_day_type_baselines_follow_the_official_calendar_and_local_overrides():
    fri, sat = date(2019, 12, 6), date(2019, 12, 7)
    accounts = pa.table({"account_id": [1]})
    rows = [(1, fri, 100), (1, sat, 20), (1, date(2020, 2, 8), 7), (1, FEB10, 35)]
    days = (date(2020, 2, 8), FEB10)
    by_type = run(accounts, readings_of(rows), Method(days=days, baseline=(fri, sat), baseline_kind="day_type"))
    # Saturday 8 Feb against the rest-day mean 20 (7 >= 6); Monday against the workday mean
    # 100 (35 >= 30); Sunday has no reading at all, so no index.
    assert [(r["day"], r["resumed"]) for r in by_type] == [(date(2020, 2, 8), 1), (FEB10, 1)]
    overridden = Method(
        days=days, baseline=(fri, sat), baseline_kind="day_type", workday_overrides={date(2020, 2, 8): True}
    )
    assert run(accounts, readings_of(rows), overridden)[0]["resumed"] == 0  # 7 < 30
    plain = run(accounts, readings_of(rows), Method(days=days, baseline=(fri, sat)))
    assert [r["resumed"] for r in plain] == [0, 1]  # one mean of 60: 7 < 18, 35 >= 18


def test_the_lunar_baseline_compares_with_the_same_days_after_the_spring_festival():
    # 10 Feb 2020 is 16 days after the Spring Festival (25 Jan); 2019's was 5 Feb, so the
    # counterpart is 21 Feb 2019, and with one day either side the mean of 90, 120, 90 = 100.
    assert engine.lunar_counterpart(FEB10) == date(2019, 2, 21)
    accounts = pa.table({"account_id": [1, 2]})
    rows = [(1, date(2019, 2, 20), 90), (1, date(2019, 2, 21), 120), (1, date(2019, 2, 22), 90), (1, FEB10, 30)]
    rows.append((2, FEB10, 80))  # no reading a lunar year earlier: excluded
    lunar = Method(days=(FEB10, FEB10), baseline_kind="lunar", lunar_half_width=1, year_before=False)
    [row] = run(accounts, readings_of(rows), lunar)
    assert figures(row) == (1, 1, 1, 100.0, 30.0, 65.0)


def test_a_method_that_cannot_apply_says_why():
    with pytest.raises(engine.MethodError):
        Method(days=(FEB10, FEB10), baseline_kind="median")
    with pytest.raises(engine.MethodError):
        Method(days=(FEB10, FEB10))  # a window baseline without its window
    with pytest.raises(engine.MethodError):
        engine.lunar_counterpart(date(2035, 3, 1))


def test_the_accounts_not_resumed_on_a_day_are_listed():
    con = engine.connect_duckdb()
    accounts = con.create_table("accounts", ACCOUNTS)
    readings = con.create_table("readings", readings_of([r for r in READINGS if r[0] != A5 or r[1] != FEB10]))
    listed = engine.not_resumed(accounts, readings, method(by=("county",))).to_pyarrow().to_pylist()
    # A2 used 29 of 100; A5 sent nothing (0 of 200); A4 and A6 have no baseline and are not counted.
    assert [(r["account_id"], r["county"], r["baseline"], r["kwh"]) for r in listed] == [
        (A2, "A", 100.0, 29.0),
        (A5, "B", 200.0, 0.0),
    ]


def test_the_accounts_not_resumed_are_listed_for_each_day_at_once():
    con = engine.connect_duckdb()
    accounts = con.create_table("accounts", ACCOUNTS)
    later = [(a, date(2020, 2, 11), 500.0) for a in (A1, A2, A3)]  # county B's meters silent that day
    readings = con.create_table("readings", readings_of([*READINGS, *later]))
    two_days = method(by=("county",), days=(FEB10, date(2020, 2, 12)))
    listed = engine.not_resumed(accounts, readings, two_days).to_pyarrow().to_pylist()
    # The 12th has no reading at all: no list (as no index). On the 11th A5 sent nothing.
    assert [(r["day"], r["account_id"], r["kwh"]) for r in listed] == [
        (FEB10, A2, 29.0),
        (FEB10, A5, 59.0),
        (date(2020, 2, 11), A5, 0.0),
    ]
