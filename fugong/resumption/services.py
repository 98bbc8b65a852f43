"""Importing a city's account and reading files into the store, and computing its figures.

Files are checked row by row (`inputs`) before they are kept; a bad file is refused whole with
every problem by row, column and reason (ImportRejected, as the platform's other imports), worded
here in the person's language with the file's own name. Figures for a range of days are replaced in one transaction.
"""

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import scope_of
from fugong.core.jobs import Progress
from fugong.core.spreadsheets import ImportRejected, RowError
from fugong.core.transactions import durable, service_transaction
from fugong.directory.models import Region

from . import engine, inputs
from .models import DataFile, FileKind, IndexFigure, IndexSetup

FAR_FUTURE = date(2100, 1, 1)
# The engine's problems with a file (inputs.REASONS), for people.
REASONS = {
    inputs.MISSING_COLUMN: gettext_lazy("This required column is missing."),
    inputs.UNREADABLE: gettext_lazy("The file cannot be read: %(value)s"),
    inputs.EMPTY: gettext_lazy("This column is required."),
    inputs.NOT_A_DATE: gettext_lazy("“%(value)s” is not a date like 2020-02-10."),
    inputs.NOT_A_NUMBER: gettext_lazy("“%(value)s” is not a number."),
    inputs.NEGATIVE: gettext_lazy("The kWh cannot be negative (%(value)s)."),
    inputs.UNKNOWN_ACCOUNT: gettext_lazy("Account %(value)s is not in the accounts file."),
    inputs.ACCOUNT_TWICE: gettext_lazy("Account %(value)s appears twice."),
    inputs.READING_TWICE: gettext_lazy("Account %(value)s has two readings for %(day)s."),
}


def may_manage(user: Any, setup_region: Region) -> bool:
    """Set the method and import data: coordinators over the city (or above), platform admins."""
    return user is None or scope_of(user).covers_region(setup_region.code)


def store_of(setup: IndexSetup) -> Path:
    return Path(settings.RESUMPTION_STORE) / f"setup-{setup.pk}"


def path_of(file: DataFile) -> Path:
    return Path(settings.RESUMPTION_STORE) / file.stored


def _require(actor: User | None, region: Region) -> None:
    if not may_manage(actor, region):
        raise PermissionDenied(_("Only coordinators over this city may change its index."))


@durable
def save_setup(actor: User | None, region: Region, **fields: Any) -> IndexSetup:
    _require(actor, region)
    setup = IndexSetup.objects.select_for_update().filter(region=region).first() or IndexSetup(region=region)
    for name, value in fields.items():
        setattr(setup, name, value)
    setup.full_clean()
    setup.save()
    audit.record(actor, "resumption.setup.save", setup, changes={k: [None, str(v)] for k, v in fields.items()})
    return setup


def _reader(path: str) -> str:
    return "read_parquet(?)" if path.endswith(".parquet") else "read_csv(?, all_varchar = true)"


def import_file(actor: User | None, setup: IndexSetup, kind: str, path: str, name: str) -> DataFile:
    """Check the file, keep it as Parquet, record it. Nothing is kept if any row is bad."""
    _require(actor, setup.region)
    folder = store_of(setup)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{kind}-{uuid.uuid4().hex}.parquet"
    try:
        if kind == FileKind.ACCOUNTS:
            record = _import_accounts(setup, path, name, target)
        elif kind == FileKind.READINGS:
            record = _import_readings(setup, path, name, target)
        else:
            raise ValidationError({"kind": _("Choose accounts or readings.")})
    except inputs.InputError as error:
        target.unlink(missing_ok=True)
        raise rejected(error) from None
    except (pa.ArrowException, duckdb.Error) as error:  # not Parquet or CSV, or damaged
        target.unlink(missing_ok=True)
        raise ValidationError(_("The file cannot be read as Parquet or CSV: %(reason)s") % {"reason": error}) from None
    except Exception:
        target.unlink(missing_ok=True)
        raise
    record.stored, record.imported_by = str(target.relative_to(folder.parent)), actor
    with service_transaction("resumption.import_file"):
        if kind == FileKind.ACCOUNTS:
            old = list(setup.files.filter(kind=FileKind.ACCOUNTS))
            DataFile.objects.filter(pk__in=[f.pk for f in old]).delete()
            transaction.on_commit(lambda: _delete_files(old))
        record.save()
        audit.record(actor, "resumption.file.import", record, changes={"rows": [None, record.rows]})
    return record


def rejected(error: inputs.InputError) -> ImportRejected:
    """The engine's problems with a file, by row and column, in the person's language."""
    problems = [
        RowError(p.row or 1, p.column, str(REASONS[p.code]) % {"value": p.value, "day": p.day}) for p in error.problems
    ]
    return ImportRejected(problems, error.total)


def refusal_lines(refusal: ImportRejected | ValidationError, name: str) -> list[str]:
    """A refused file's problems as lines of text that name the file (the inbox's .error.txt)."""
    if isinstance(refusal, ValidationError):
        return [f"{name}: {message}" for message in refusal.messages]
    lines = [
        _("%(file)s, row %(row)d, %(column)s: %(problem)s")
        % {"file": name, "row": e.row, "column": e.column or "—", "problem": e.message}
        for e in refusal.errors
    ]
    if refusal.more:
        lines.append(_("…and %(n)d more problems, not listed.") % {"n": refusal.more})
    return lines


def _delete_files(files: list[DataFile]) -> None:
    for old in files:
        path_of(old).unlink(missing_ok=True)


def _import_accounts(setup: IndexSetup, path: str, name: str, target: Path) -> DataFile:
    inputs.account_ids(path)  # ids present and unique, by row
    con = duckdb.connect()
    columns = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_reader(path)}", [path]).fetchall()}  # noqa: S608
    if "county" not in columns:
        raise ImportRejected([RowError(1, "county", _("This required column is missing."))])
    industry = "CAST(industry AS VARCHAR)" if "industry" in columns else "''"
    county = "CAST(county AS VARCHAR)"
    outside = con.execute(
        f"SELECT {county} FROM {_reader(path)} WHERE NOT starts_with({county}, ?) LIMIT 1",  # noqa: S608
        [path, setup.region.prefix],
    ).fetchone()
    if outside is not None:
        raise ValidationError(
            _("County %(county)s is not inside %(region)s.") % {"county": outside[0], "region": setup.region.name}
        )
    con.execute(
        f"COPY (SELECT CAST(account_id AS VARCHAR) AS account_id, CAST(county AS VARCHAR) AS county, "  # noqa: S608
        f"{industry} AS industry FROM {_reader(path)}) TO '{target}' (FORMAT parquet)",
        [path],
    )
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(target)]).fetchone()
    return DataFile(setup=setup, kind=FileKind.ACCOUNTS, name=name, rows=rows[0] if rows else 0)


def accounts_file(setup: IndexSetup) -> Path:
    current = setup.files.filter(kind=FileKind.ACCOUNTS).first()
    if current is None:
        raise ValidationError(_("Import the accounts file first."))
    return path_of(current)


def _import_readings(setup: IndexSetup, path: str, name: str, target: Path) -> DataFile:
    known = pq.read_table(accounts_file(setup), columns=["account_id"]).column(0).combine_chunks()
    rows = inputs.check_readings(path, known.cast(pa.string()))
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT CAST(account_id AS VARCHAR) AS account_id, CAST(day AS DATE) AS day, "  # noqa: S608
        f"CAST(kwh AS DOUBLE) AS kwh FROM {_reader(path)} ORDER BY day) TO '{target}' (FORMAT parquet)",
        [path],
    )
    span = con.execute("SELECT min(day), max(day) FROM read_parquet(?)", [str(target)]).fetchone()
    first, last = span or (None, None)
    if first is None or last is None:
        raise ValidationError(_("The file has no readings."))
    overlap = setup.files.filter(kind=FileKind.READINGS, first_day__lte=last, last_day__gte=first).first()
    if overlap is not None:
        raise ValidationError(
            _("Its days, %(first)s to %(last)s, overlap %(other)s (%(other_first)s to %(other_last)s).")
            % {
                "first": first,
                "last": last,
                "other": overlap.name,
                "other_first": overlap.first_day,
                "other_last": overlap.last_day,
            }
        )
    return DataFile(setup=setup, kind=FileKind.READINGS, name=name, rows=rows, first_day=first, last_day=last)


def method_of(setup: IndexSetup, first: date, last: date, by: tuple[str, ...]) -> engine.Method:
    baseline = (setup.baseline_start, setup.baseline_end) if setup.baseline_start and setup.baseline_end else None
    return engine.Method(
        days=(first, last),
        baseline=baseline,
        baseline_kind=setup.baseline_kind,
        threshold=float(setup.threshold),
        weight=float(setup.weight),
        by=by,
        workday_overrides={date.fromisoformat(d): True for d in setup.reopening_days},
    )


def suspension_periods(setup: IndexSetup) -> pa.Table:
    """Approved suspensions and reductions of the region's power accounts, as the engine's
    periods (account numbers are the meter data's account ids)."""
    from fugong.power.models import CapacityApplication
    from fugong.power.models.applications import HOLDING

    applications = CapacityApplication.objects.filter(
        account__organisation__region__code__startswith=setup.region.prefix,
        status__in=[*HOLDING, "restored"],
    ).select_related("account")
    rows = [(a.account.number, a.start_on, a.last_day_out or FAR_FUTURE) for a in applications]
    return pa.table(
        {
            "account_id": pa.array([r[0] for r in rows], pa.string()),
            "start": pa.array([r[1] for r in rows], pa.date32()),
            "end": pa.array([r[2] for r in rows], pa.date32()),
        }
    )


def _engine_inputs(setup: IndexSetup) -> tuple[Any, Any, Any] | None:
    """The kept files and the power module's suspensions as the engine's tables (accounts,
    readings, periods or None); None while no readings were imported."""
    readings = [path_of(f) for f in setup.files.filter(kind=FileKind.READINGS)]
    if not readings:
        return None
    con = engine.connect_duckdb()
    periods = con.create_table("suspensions", suspension_periods(setup)) if setup.exclude_suspended else None
    return con.read_parquet(str(accounts_file(setup))), con.read_parquet([str(p) for p in readings]), periods


def compute(setup: IndexSetup, first: date, last: date, progress: Progress | None = None) -> int:
    """Compute the days by county and by county and industry, and store them (replacing
    those days). Returns how many figures were stored."""
    tables = _engine_inputs(setup)
    if tables is None:
        raise ValidationError(_("Import readings first."))
    accounts, reading_table, periods = tables
    figures = []
    for step, by in enumerate((("county",), ("county", "industry"))):
        if progress:
            progress.update(step, 3, _("Computing the index by %s…") % " × ".join(by), inside_transaction=False)
        result = engine.resumption_index(accounts, reading_table, method_of(setup, first, last, by), periods)
        for row in result.to_pyarrow().to_pylist():
            figures.append(
                IndexFigure(
                    setup=setup,
                    day=row["day"],
                    county=row["county"],
                    industry=row.get("industry") or "",
                    **{k: row[k] for k in ("accounts", "excluded", "resumed", "rank", "index_year_before")},
                    account_ratio=row["account_ratio"],
                    consumption_ratio=row["consumption_ratio"],
                    index=row["index"],
                )
            )
    if progress:
        progress.update(2, 3, _("Listing the enterprises not yet resumed…"), inside_transaction=False)
    method = method_of(setup, first, last, ("county", "industry"))
    lists = engine.not_resumed(accounts, reading_table, method, periods).to_pyarrow()
    with service_transaction("resumption.compute"):
        IndexSetup.objects.select_for_update().filter(pk=setup.pk).first()  # one computation's lists at a time
        IndexFigure.objects.filter(setup=setup, day__range=(first, last)).delete()
        IndexFigure.objects.bulk_create(figures, batch_size=2000)
        _keep_not_resumed(setup, {f.day for f in figures}, lists)
    return len(figures)


def not_resumed_file(setup: IndexSetup, day: date) -> Path:
    """A computed day's enterprises not yet resumed, kept when the figures are computed: the
    page reads its day's small file instead of going through the readings (which, the first
    time in a process, also meant loading the engine's libraries: 5 seconds)."""
    return store_of(setup) / "not-resumed" / f"{day.isoformat()}.parquet"


def _keep_not_resumed(setup: IndexSetup, days: set[date], lists: pa.Table) -> None:
    """One file per day computed (an empty one when everyone is back), each written aside and
    renamed over the old one, so a page never reads half a file."""
    for day in days:
        path = not_resumed_file(setup, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = lists.filter(pc.equal(lists["day"], pa.scalar(day, pa.date32()))).drop_columns(["day"])
        written = path.with_name(f"{path.stem}-{uuid.uuid4().hex}.tmp")
        pq.write_table(rows, written)
        written.replace(path)


def days_to_compute(setup: IndexSetup, *, again: bool = False) -> tuple[date, date] | None:
    """From the day after the last computed one (or, `again`, the first reading after the
    baseline: after the method changed) to the last day with readings; None when there is
    nothing to compute."""
    files = setup.files.filter(kind=FileKind.READINGS)
    last = max((f.last_day for f in files if f.last_day), default=None)
    if last is None:
        return None
    done = None if again else setup.figures.order_by("-day").values_list("day", flat=True).first()
    if done is not None:
        first = done + timedelta(days=1)
    else:
        after = setup.baseline_end + timedelta(days=1) if setup.baseline_end else date.min
        first = max(after, min(f.first_day for f in files if f.first_day))
    return (first, last) if first <= last else None


def not_resumed(setup: IndexSetup, day: date) -> list[dict[str, Any]]:
    """The accounts counted but not resumed on a day (account_id, county, industry, baseline,
    kwh), suspended ones left out as in the figures: as kept when the day was computed, or
    (figures computed before the lists were kept) worked out from the readings."""
    path = not_resumed_file(setup, day)
    if path.exists():
        return pq.ParquetFile(path).read().to_pylist()  # not read_table: its dataset layer loads pandas
    tables = _engine_inputs(setup)
    if tables is None:
        return []
    accounts, readings, periods = tables
    rows = engine.not_resumed(accounts, readings, method_of(setup, day, day, ("county", "industry")), periods)
    return rows.to_pyarrow().drop_columns(["day"]).to_pylist()


INBOX_SUFFIXES = (".csv", ".parquet")


def import_inbox() -> dict[str, int]:
    """Import what the meter-data system dropped into each city's inbox folder
    (<inbox>/<city code>/): files named accounts* replace the accounts, others are readings,
    in name order. Each goes to done/, or to failed/ with a .error.txt saying the row and the
    reason, so nothing is imported twice and nothing fails silently."""
    counts = {"imported": 0, "failed": 0}
    for setup in IndexSetup.objects.select_related("region"):
        folder = Path(settings.RESUMPTION_INBOX) / setup.region.code
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in INBOX_SUFFIXES):
            kind = FileKind.ACCOUNTS if path.name.lower().startswith("accounts") else FileKind.READINGS
            try:
                import_file(None, setup, kind, str(path), path.name)
            except (ImportRejected, ValidationError) as refusal:
                lines = refusal_lines(refusal, path.name)
                _move(path, folder / "failed").with_suffix(".error.txt").write_text("\n".join(lines) + "\n")
                counts["failed"] += 1
            else:
                _move(path, folder / "done")
                counts["imported"] += 1
    return counts


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    path.replace(target)
    return target
