"""The work-resumption electricity index (复工电力指数), on Ibis: DuckDB on one machine, the same
expressions on PySpark when the readings outgrow it. No Django here.

Method (State Grid Zhejiang, 2020; every part configurable):
- an account's **baseline** is its mean daily kWh over a baseline window (default the previous
  year's Q4); or, per day, over the same lunar-calendar days a year earlier; or per kind of day
  (workday or rest day, Chinese holidays and make-up workdays from chinese-calendar, with local
  overrides such as a county's reopening date);
- accounts whose baseline is zero or missing are **excluded** (and counted), as are accounts
  under an approved suspension that day when suspensions are given;
- an account is **resumed** on a day when its kWh is at least `threshold` x its baseline;
- account ratio = resumed / included accounts; consumption ratio = kWh of the resumed accounts
  / the baselines of the included accounts; index = 100 x (w x consumption + (1 - w) x accounts).

Inputs are tables: accounts(account_id, <grouping columns>...), readings(account_id, day, kwh)
and optionally suspensions(account_id, start, end), all days inclusive. The result has one row
per day and group, ranked by index within the parent group (the groups but the last), with the
index of the same day a year earlier where the readings reach back that far.

The day tables the method needs (which baseline applies to which day) are small and built in
Python; the readings are touched once for the baselines and once for the days, each a join on
the account with a grouped sum, so the work grows like a scan of the readings.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import chinese_calendar
import ibis
import ibis.expr.types as ir
import pyarrow as pa

WINDOW = "window"
LUNAR = "lunar"
DAY_TYPE = "day_type"
BASELINES = (WINDOW, LUNAR, DAY_TYPE)

# The first day of each lunar year (春节), for the lunar baseline.
SPRING_FESTIVAL = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}

OUTPUT_FIGURES = ("accounts", "excluded", "resumed", "account_ratio", "consumption_ratio", "index", "rank")


class MethodError(ValueError):
    """The method cannot be applied as asked (an unknown baseline, a day outside the calendar)."""


@dataclass(frozen=True)
class Method:
    days: tuple[date, date]  # the days to compute, inclusive
    baseline: tuple[date, date] | None = None  # the window, inclusive (window and day_type)
    baseline_kind: str = WINDOW
    threshold: float = 0.3
    weight: float = 0.5  # of the consumption ratio
    by: tuple[str, ...] = ()
    lunar_half_width: int = 3  # the lunar baseline: mean over the counterpart day +- this many days
    # Day type overrides: day -> True (a workday, e.g. a county's reopening) or False (a rest day).
    workday_overrides: Mapping[date, bool] = field(default_factory=dict)
    year_before: bool = True

    def __post_init__(self) -> None:
        if self.baseline_kind not in BASELINES:
            raise MethodError(f"unknown baseline {self.baseline_kind!r}; one of {', '.join(BASELINES)}")
        if self.baseline_kind != LUNAR and self.baseline is None:
            raise MethodError("this baseline needs its window (start and end day)")
        if not 0 < self.threshold <= 1 or not 0 <= self.weight <= 1:
            raise MethodError("the threshold is in (0, 1] and the weight in [0, 1]")
        if self.days[1] < self.days[0] or (self.baseline and self.baseline[1] < self.baseline[0]):
            raise MethodError("a period ends before it starts")

    def day_list(self) -> list[date]:
        return days_of(self.days)


def days_of(period: tuple[date, date]) -> list[date]:
    """Every day of an inclusive period."""
    first, last = period
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def year_earlier(day: date) -> date:
    """The same calendar day a year earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def lunar_counterpart(day: date) -> date:
    """The day as many days after the previous year's Spring Festival as `day` is after this
    year's (or before, for days before it)."""
    try:
        offset = day - SPRING_FESTIVAL[day.year]
        return SPRING_FESTIVAL[day.year - 1] + offset
    except KeyError:
        raise MethodError(f"no Spring Festival date known for {day.year - 1}-{day.year}") from None


def is_workday(day: date, overrides: Mapping[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # outside the years chinese-calendar knows: weekdays
        return day.weekday() < 5


@dataclass(frozen=True)
class DayPlan:
    """Which baseline key applies to each day computed, and which readings make each key."""

    computed: list[date]  # the days asked for, and the days a year earlier
    key_of_day: dict[date, int]  # computed day -> baseline key
    baseline_days: dict[int, list[date]]  # baseline key -> the days whose mean it is


def plan_days(method: Method, extra_days: Iterable[date] = ()) -> DayPlan:
    computed = sorted({*method.day_list(), *extra_days})
    if method.baseline_kind in (WINDOW, DAY_TYPE):
        assert method.baseline is not None
        window = days_of(method.baseline)
        if method.baseline_kind == WINDOW:
            return DayPlan(computed, dict.fromkeys(computed, 0), {0: window})
        kind = {d: int(is_workday(d, method.workday_overrides)) for d in {*window, *computed}}  # 1: a workday
        kinds = {k: [d for d in window if kind[d] == k] for k in (0, 1)}
        return DayPlan(computed, {d: kind[d] for d in computed}, kinds)
    keys, baseline_days = {}, {}
    for key, day in enumerate(computed):
        centre = lunar_counterpart(day)
        width = method.lunar_half_width
        keys[day] = key
        baseline_days[key] = [centre + timedelta(days=n) for n in range(-width, width + 1)]
    return DayPlan(computed, keys, baseline_days)


def _memtable(columns: dict[str, list[Any]], types: dict[str, pa.DataType]) -> ir.Table:
    return ibis.memtable(pa.table({name: pa.array(values, types[name]) for name, values in columns.items()}))


def _baselines(readings: ir.Table, plan: DayPlan) -> ir.Table:
    """(account_id, key, baseline): the mean daily kWh over each key's days, of the days
    with a reading."""
    pairs = [(key, day) for key, days in plan.baseline_days.items() for day in days]
    if len({day for _k, day in pairs}) == len(pairs):  # each day makes one key: tag by expression
        day_key = {day: key for key, day in pairs}
        window = _on_days(readings, sorted(day_key))
        tagged = window.mutate(key=_key_of(window.day, DayPlan(list(day_key), day_key, {})))
    else:  # lunar windows overlap: a reading counts for several days
        # The day range first, so a file written day by day is read only where it matters.
        first, last = min(d for _k, d in pairs), max(d for _k, d in pairs)
        window = readings.filter(readings.day.between(first, last))
        key_days = _memtable(
            {"key": [k for k, _d in pairs], "bday": [d for _k, d in pairs]}, {"key": pa.int32(), "bday": pa.date32()}
        )
        tagged = window.join(key_days, window.day == key_days.bday)
    return tagged.group_by(["account_id", "key"]).aggregate(baseline=tagged.kwh.mean())


def resumption_index(
    accounts: ir.Table, readings: ir.Table, method: Method, suspensions: ir.Table | None = None
) -> ir.Table:
    """The index per day and group, as an Ibis expression (run it with `.to_pyarrow()`)."""
    by = list(method.by)
    year_before = {day: year_earlier(day) for day in method.day_list()} if method.year_before else {}
    plan = plan_days(method, year_before.values())
    days = _memtable(
        {"day": plan.computed, "key": [plan.key_of_day[d] for d in plan.computed]},
        {"day": pa.date32(), "key": pa.int32()},
    )
    groups = accounts.select("account_id", *by)
    baselines = _baselines(readings, plan)
    # Each account's positive baselines with its groups, computed once (both halves use it).
    positive = _reused(baselines.filter(baselines.baseline > 0).join(groups, "account_id"))

    # Accounts of each group, and those with a baseline per key, then per day.
    sizes = groups.group_by(by) if by else groups
    group_sizes = sizes.aggregate(total=groups.account_id.count())
    per_key = positive.group_by(["key", *by]).aggregate(
        accounts=positive.account_id.count(), base_total=positive.baseline.sum()
    )
    included = per_key.join(days, "key").select("day", *by, "accounts", "base_total")
    # The readings of the computed days, each tagged with its baseline key by an expression
    # (a join with the day table would cost a pass over tens of millions of rows).
    in_range = _on_days(readings, plan.computed)
    day_readings = in_range.mutate(key=_key_of(in_range.day, plan))
    single_key = len(set(plan.key_of_day.values())) == 1  # then an account has one baseline
    scored = day_readings.join(positive, ["account_id"] if single_key else ["account_id", "key"])
    if suspensions is not None:
        out = _suspended_pairs(suspensions, days)
        scored = scored.anti_join(out, ["account_id", "day"])
        removed = out.join(positive, ["account_id", "key"])
        removed = removed.group_by(["day", *by]).aggregate(
            out_accounts=removed.account_id.count(), out_base=removed.baseline.sum()
        )
        included = included.left_join(removed, ["day", *by]).select(
            "day",
            *by,
            accounts=included.accounts - removed.out_accounts.fill_null(0),
            base_total=included.base_total - removed.out_base.fill_null(0),
        )
    resumed_rows = scored.filter(scored.kwh >= scored.baseline * method.threshold)
    resumed = resumed_rows.group_by(["day", *by]).aggregate(
        resumed=resumed_rows.account_id.count(), resumed_kwh=resumed_rows.kwh.sum()
    )
    figures = included.left_join(resumed, ["day", *by]).select(
        "day",
        *by,
        "accounts",
        "base_total",
        resumed=resumed.resumed.fill_null(0),
        resumed_kwh=resumed.resumed_kwh.fill_null(0),
    )
    figures = figures.join(group_sizes, by) if by else figures.cross_join(group_sizes)
    account_ratio = figures.resumed / figures.accounts
    consumption_ratio = figures.resumed_kwh / figures.base_total
    scored_days = figures.select(
        "day",
        *by,
        "accounts",
        excluded=figures.total - figures.accounts,
        resumed="resumed",
        account_ratio=account_ratio * 100,
        consumption_ratio=consumption_ratio * 100,
        index=(consumption_ratio * method.weight + account_ratio * (1 - method.weight)) * 100,
    )
    parent = by[:-1]
    ranked = scored_days.mutate(
        rank=ibis.rank().over(ibis.window(group_by=["day", *parent], order_by=ibis.desc("index"))) + 1
    )
    # Only days with readings have an index: a day nobody's meter reported is not a day when
    # nobody worked.
    present = day_readings.select("day").distinct()
    asked = _memtable({"day": method.day_list()}, {"day": pa.date32()})
    result = ranked.join(asked, "day").join(present, "day")
    if year_before:
        pairs = _memtable(
            {"day": list(year_before), "earlier": list(year_before.values())},
            {"day": pa.date32(), "earlier": pa.date32()},
        )
        # Only where the readings reach back: a day without any reading has no index.
        earlier = ranked.join(present, "day").select(*by, earlier="day", index_year_before="index")
        joined = result.join(pairs, "day").left_join(earlier, ["earlier", *by])
        result = joined.select("day", *by, *OUTPUT_FIGURES, "index_year_before")
    return result.order_by(["day", *by])


def _on_days(readings: ir.Table, days: list[date]) -> ir.Table:
    """Readings of these days. The range comes first, so a file written day by day is read only
    where it matters; a list test is added only when the days have gaps."""
    first, last = min(days), max(days)
    in_range = readings.filter(readings.day.between(first, last))
    if (last - first).days + 1 == len(set(days)):
        return in_range
    return in_range.filter(in_range.day.isin(days))


def _key_of(day: ir.DateColumn, plan: DayPlan) -> ir.IntegerValue:
    """The baseline key of a day, as an expression: one key for a window, two for day types,
    one per day for the lunar baseline."""
    keys = sorted(set(plan.key_of_day.values()))
    if len(keys) == 1:
        return ibis.literal(keys[0], "int32")
    by_key = {key: [d for d, k in plan.key_of_day.items() if k == key] for key in keys}
    branches = [(day.isin(days), ibis.literal(key, "int32")) for key, days in by_key.items()]
    return ibis.cases(*branches)


def _reused(table: ir.Table) -> ir.Table:
    """An intermediate both halves read, computed once: a temporary table on DuckDB (which
    would otherwise run the common part twice). On Spark the plan stays whole: ibis registers
    the small day tables there only when the query runs, too late for a cached part."""
    if table._find_backend().name == "duckdb":
        return table.cache()
    return table


def _suspended_pairs(suspensions: ir.Table, days: ir.Table) -> ir.Table:
    """(account_id, day, key) for each computed day inside a suspension."""
    joined = suspensions.join(days, (days.day >= suspensions.start) & (days.day <= suspensions.end))
    return joined.select("account_id", "day", "key").distinct()


def rounded(table: pa.Table, places: int = 2) -> pa.Table:
    """The three figures rounded for people, from the unrounded values."""
    import pyarrow.compute as pc

    columns = {}
    for name in table.column_names:
        column = table[name]
        if name in {"account_ratio", "consumption_ratio", "index", "index_year_before"}:
            column = pc.round(column, places)
        columns[name] = column
    return pa.table(columns)


def connect_duckdb(threads: int | None = None) -> Any:
    con = ibis.duckdb.connect()
    # Results are ordered explicitly; keeping file order would serialise the cached baselines.
    con.raw_sql("SET preserve_insertion_order = false")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def read_inputs(
    con: Any, accounts: str, readings: str, suspensions: str | None = None
) -> tuple[ir.Table, ir.Table, ir.Table | None]:
    """The input files as tables of a connection (DuckDB or PySpark), in the engine's types:
    account ids as text, days as dates, kWh as doubles."""

    def read(path: str) -> ir.Table:
        return con.read_parquet(path) if path.endswith(".parquet") else con.read_csv(path)

    account_table = read(accounts)
    account_table = account_table.mutate(account_id=account_table.account_id.cast("string"))
    reading_table = read(readings)
    reading_table = reading_table.select(
        account_id=reading_table.account_id.cast("string"),
        day=reading_table.day.cast("date"),
        kwh=reading_table.kwh.cast("float64"),
    )
    period_table = None
    if suspensions:
        raw = read(suspensions)
        period_table = raw.select(
            account_id=raw.account_id.cast("string"), start=raw.start.cast("date"), end=raw.end.cast("date")
        )
    return account_table, reading_table, period_table


def not_resumed(
    accounts: ir.Table, readings: ir.Table, method: Method, suspensions: ir.Table | None = None
) -> ir.Table:
    """The accounts counted but not resumed on each of the method's days that has readings:
    (day, account_id, the grouping columns, baseline, kwh), kWh 0 where the meter sent nothing.
    One pass for all the days, so the platform keeps the lists when it computes the figures."""
    by = list(method.by)
    plan = plan_days(replace(method, year_before=False))
    days = _memtable(
        {"day": plan.computed, "key": [plan.key_of_day[d] for d in plan.computed]},
        {"day": pa.date32(), "key": pa.int32()},
    )
    baselines = _baselines(readings, plan)
    positive = baselines.filter(baselines.baseline > 0)
    day_readings = _on_days(readings, plan.computed).select("account_id", "day", "kwh")
    present = day_readings.select("day").distinct()  # a day nobody's meter reported has no list
    counted = (
        accounts.select("account_id", *by)
        .join(positive, "account_id")
        .join(days.join(present, "day"), "key")
        .select("day", "account_id", *by, "baseline")
    )
    joined = counted.left_join(day_readings, ["account_id", "day"])
    rows = joined.select("day", "account_id", *by, "baseline", kwh=joined.kwh.fill_null(0))
    if suspensions is not None:
        rows = rows.anti_join(_suspended_pairs(suspensions, days), ["account_id", "day"])
    return rows.filter(rows.kwh < rows.baseline * method.threshold).order_by(["day", "account_id"])
