"""What each database engine needs for a backup: a consistent copy together with the row counts
and migration state of that same copy, a restore into an empty database, and the counts after it.

PostgreSQL: pg_dump in its custom format, reading a snapshot exported by the transaction that
counts the rows, so the counts are those of the dump even while the site keeps writing. SQLite:
the online backup API, which copies a consistent state while the site runs under WAL."""

import os
import re
import sqlite3
import subprocess
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from fugong.core.backups import BackupError

ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
ARCHIVE_NAMES = {"postgresql": "database/fugong.pgdump", "sqlite": "database/fugong.sqlite3"}


@dataclass(frozen=True)
class Copy:
    """The database as copied to a file, and what the copy holds."""

    engine: str
    path: Path
    tables: dict[str, int]  # table -> rows
    migrations: dict[str, str]  # app -> its latest applied migration
    tool: dict[str, Any]  # which program wrote the copy, for the restore's check


def engine() -> str:
    name = ENGINES.get(connection.settings_dict["ENGINE"])
    if name is None:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": connection.settings_dict["ENGINE"]}
        )
    return name


def copy_to(target: Path) -> Copy:
    return _dump_postgresql(target) if engine() == "postgresql" else _copy_sqlite(target)


def _copy_sqlite(target: Path) -> Copy:
    source_uri = Path(connection.settings_dict["NAME"]).resolve().as_uri() + "?mode=ro"
    try:
        with closing(sqlite3.connect(source_uri, uri=True)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            # One self-contained file: the site turns WAL on again when it opens the restored one.
            copy.execute("PRAGMA journal_mode=DELETE")
            cursor = copy.cursor()
            names = [row[0] for row in cursor.execute(SQLITE_TABLES)]
            tables, migrations = table_counts(cursor, names), latest_migrations(cursor, names)
    except sqlite3.Error as error:
        raise BackupError(_("The SQLite database could not be copied: %(error)s") % {"error": error}) from None
    return Copy("sqlite", target, tables, migrations, {"sqlite": sqlite3.sqlite_version})


SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"


def _dump_postgresql(target: Path) -> Copy:
    tool, major = tool_version("pg_dump")
    connection.ensure_connection()
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    if major < server:
        raise BackupError(
            _(
                "pg_dump %(tool)s cannot dump a PostgreSQL %(server)s server: install postgresql-client %(server)s "
                "or newer (Debian: the PostgreSQL project's apt repository)."
            )
            % {"tool": tool, "server": server}
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        names = connection.introspection.table_names(cursor)
        tables, migrations = table_counts(cursor, names), latest_migrations(cursor, names)
        # While this transaction stays open, pg_dump reads exactly what was counted.
        run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
        )
    return Copy("postgresql", target, tables, migrations, {"pg_dump": tool, "pg_dump_major": major, "server": server})


def check_target(archive_engine: str, migrations: dict[str, str], tool: dict[str, Any]) -> None:
    """Refuse, before anything is written, a target that cannot take this archive: another
    engine, migrations this code does not have, an old pg_restore, or a database with tables."""
    here = engine()
    if archive_engine != here:
        raise BackupError(
            _(
                "The archive holds a %(archive)s database but DATABASE_URL names a %(here)s one: "
                "restore into %(archive)s."
            )
            % {"archive": archive_engine, "here": here}
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = sorted(f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known)
    if unknown:
        raise BackupError(
            _("The archive was written by a newer Fugong (%(migrations)s unknown here): restore with that version.")
            % {"migrations": ", ".join(unknown)}
        )
    if here == "postgresql":
        _tool, major = tool_version("pg_restore")
        if major < tool["pg_dump_major"]:
            raise BackupError(
                _("pg_restore %(major)s cannot read an archive written by pg_dump %(dumped)s: install a newer one.")
                % {"major": major, "dumped": tool["pg_dump"]}
            )
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        # A restore brings its own tables; any table here (even from `migrate` alone) would clash.
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)d tables, e.g. %(some)s): restore only into a new, "
                "empty database (create it, and do not run migrate on it first)."
            )
            % {"name": connection.settings_dict["NAME"], "count": len(existing), "some": ", ".join(existing[:3])}
        )


def restore_from(path: Path) -> None:
    """Load a copy into the (empty, checked) configured database."""
    if engine() == "postgresql":
        # One transaction: a failure leaves the database as empty as it was.
        name = connection.settings_dict["NAME"]
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        run(["pg_restore", *options, f"--dbname={name}", str(path)])
        return
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    staged = target.with_name(f".{target.name}.restoring")
    try:
        with path.open("rb") as source, staged.open("wb") as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
            copy.flush()
            os.fsync(copy.fileno())
        # The empty target's write-ahead log would otherwise be replayed into the restored file.
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        staged.replace(target)
    finally:
        staged.unlink(missing_ok=True)


def counts_now() -> dict[str, int]:
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names(cursor))


def pending_migrations(migrations: dict[str, str]) -> list[str]:
    """Apps whose latest migration in this code is newer than the archive's: `migrate` brings them up."""
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    return sorted(app for app, name in leaves if migrations.get(app) != name)


def table_counts(cursor: Any, tables: Iterable[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a table name from the database, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def latest_migrations(cursor: Any, tables: Iterable[str]) -> dict[str, str]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())  # later rows replace earlier ones: the latest per app


def tool_version(program: str) -> tuple[str, int]:
    """The version of pg_dump or pg_restore, e.g. ("15.20", 15)."""
    try:
        answer = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    except (OSError, subprocess.CalledProcessError):
        raise BackupError(
            _("%(program)s is needed and not found (Debian: apt install postgresql-client).") % {"program": program}
        ) from None
    found = re.search(r"(\d+)(\.\d+)?", answer)
    if found is None:
        raise BackupError(_("%(program)s gave no version: %(answer)s") % {"program": program, "answer": answer})
    return found[0], int(found[1])


def run(command: list[str]) -> None:
    """Run a PostgreSQL client program against the configured database; the password goes in
    the environment (PGPASSWORD), never on the command line where `ps` would show it."""
    settings = connection.settings_dict
    _args, secrets = DatabaseClient.settings_to_cmd_args_env(settings, [])
    environment = os.environ | (secrets or {})
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if settings.get(key):
            environment[variable] = str(settings[key])
    done = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": command[0], "error": done.stderr.strip()[-2000:]}
        )
