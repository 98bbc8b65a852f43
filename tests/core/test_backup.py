"""Backup and restore as an operator uses them: `fugong backup` of the running database and its
files, `fugong restore` in a separate process pointed at a fresh, empty database and folders, and
archives that must be refused before anything is written. On SQLite and on PostgreSQL alike
(whichever DATABASE_URL names)."""

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation

from fugong.core.backups import create, database
from fugong.demo import world

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = connection.vendor == "postgresql"


def back_up(out: Path) -> Path:
    call_command("backup", out=out, stdout=io.StringIO())
    (archive,) = out.glob("fugong-backup-*.tar")
    return archive


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh, empty database (on the same PostgreSQL server, or an SQLite file) and fresh
    media and store folders, as the environment of a `fugong` process."""
    here = connection.settings_dict
    if POSTGRES:
        name = f"{here['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(**_libpq(here, "postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        credentials = quote(here["USER"] or "postgres") + (f":{quote(here['PASSWORD'])}" if here["PASSWORD"] else "")
        url = f"postgres://{credentials}@{here['HOST'] or '127.0.0.1'}:{here['PORT'] or 5432}/{name}"
    else:
        name = str(tmp_path / "restored.sqlite3")
        url = f"sqlite:///{name}"
    yield {
        "DATABASE_NAME": name,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "RESUMPTION_STORE": str(tmp_path / "restored-store"),
        "FUGONG_VAR_DIR": str(tmp_path / "var"),
    }
    if POSTGRES:
        with psycopg.connect(**_libpq(here, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(settings_dict: dict, name: str) -> dict[str, str]:
    keys = {"host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD"}
    return {"dbname": name} | {key: str(settings_dict[k]) for key, k in keys.items() if settings_dict.get(k)}


def restore(archive: Path, target: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = (
        os.environ
        | target
        | {
            "DJANGO_SETTINGS_MODULE": "fugong.settings",
            "DEBUG": "1",
            "SECRET_KEY": "tests-only-restore-0123456789abcdefghijklmnopqrstuvwxyz",
        }
    )
    command = [sys.executable, "-m", "fugong", "restore", str(archive)]
    return subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=300)


def target_counts(target: dict[str, str]) -> dict[str, int]:
    if POSTGRES:
        here = connection.settings_dict
        with psycopg.connect(**_libpq(here, target["DATABASE_NAME"])) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return database.table_counts(cursor, [row[0] for row in cursor.fetchall()])
    with sqlite3.connect(target["DATABASE_NAME"]) as conn:
        cursor = conn.cursor()
        return database.table_counts(cursor, [row[0] for row in cursor.execute(database.SQLITE_TABLES)])


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_folders(tmp_path: Path, target: dict[str, str]) -> None:
    world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
    photo = default_storage.save("handovers/photo.jpg", ContentFile(b"\xff\xd8\xff\xe0 a hand-over photo"))
    store = Path(settings.RESUMPTION_STORE)
    (store / "setup-1").mkdir(exist_ok=True)
    pq.write_table(pa.table({"account": ["A1", "A2"], "kwh": [1.5, 2.5]}), store / "setup-1" / "readings.parquet")
    archive = back_up(tmp_path / "backups")
    counts = database.counts_now()
    assert counts["accounts_user"] > 0

    done = restore(archive, target)  # exits non-zero if a table's count differs from the manifest's
    assert done.returncode == 0, done.stderr
    assert target_counts(target) == counts
    media = files_under(Path(target["MEDIA_ROOT"]))
    assert media == files_under(Path(settings.MEDIA_ROOT)) and photo in media
    readings = files_under(Path(target["RESUMPTION_STORE"]))
    assert readings == files_under(store) and "setup-1/readings.parquet" in readings


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Refusals read in English here, whatever the site's language."""
    with translation.override("en"):
        yield


@pytest.fixture
def bare_archive(tmp_path: Path, transactional_db: None) -> Path:
    """An archive of the migrated test database with one upload."""
    default_storage.save("bare/upload.txt", ContentFile(b"an upload"))
    return back_up(tmp_path / "backups")


def _damage(archive: Path, how: str) -> None:
    if how == "one byte changed":
        with tarfile.open(archive) as tar:
            offset = next(m for m in tar if m.name.startswith("database/")).offset_data + 100
        with archive.open("r+b") as file:
            file.seek(offset)
            byte = file.read(1)
            file.seek(offset)
            file.write(bytes([byte[0] ^ 1]))
    elif how == "truncated":
        with archive.open("r+b") as file:
            file.truncate(archive.stat().st_size // 2)
    else:  # a member that would be written outside the folders, or a link
        with tarfile.open(archive, "a") as tar:
            info = tarfile.TarInfo("media/../../escaped.txt" if how == "unsafe path" else "media/link")
            if how == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = 2
                tar.addfile(info, io.BytesIO(b"no"))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("one byte changed", "checksum or size differs: database/"),
        ("truncated", "truncated"),
        ("unsafe path", "not safe to unpack: media/../../escaped.txt"),
        ("symlink", "media/link, which is not a plain file"),
    ],
)
def test_a_damaged_archive_is_refused_before_anything_is_written(
    bare_archive: Path, tmp_path: Path, how: str, message: str
) -> None:
    _damage(bare_archive, how)
    media, store = tmp_path / "restored-media", tmp_path / "restored-store"
    before = database.counts_now()
    with override_settings(MEDIA_ROOT=str(media), RESUMPTION_STORE=store), pytest.raises(CommandError) as refused:
        call_command("restore", str(bare_archive), stdout=io.StringIO())
    assert message in str(refused.value)
    assert not media.exists() and not store.exists()
    assert database.counts_now() == before


def test_a_target_with_data_is_refused(bare_archive: Path, tmp_path: Path) -> None:
    """A restore goes only into an empty database (this one has the tables `migrate` made) and
    empty or absent folders."""
    media, store = tmp_path / "restored-media", tmp_path / "restored-store"
    with override_settings(MEDIA_ROOT=str(media), RESUMPTION_STORE=store), pytest.raises(CommandError) as refused:
        call_command("restore", str(bare_archive), stdout=io.StringIO())
    assert "is not empty" in str(refused.value) and "do not run migrate" in str(refused.value)
    assert not media.exists() and not store.exists()

    store.mkdir()
    (store / "readings.parquet").write_bytes(b"PAR1")
    with override_settings(MEDIA_ROOT=str(media), RESUMPTION_STORE=store), pytest.raises(CommandError) as refused:
        call_command("restore", str(bare_archive), stdout=io.StringIO())
    assert f"{store} is not empty" in str(refused.value)
    assert not media.exists() and [p.name for p in store.iterdir()] == ["readings.parquet"]


def test_a_failed_backup_leaves_no_archive(
    tmp_path: Path, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(target: Path) -> database.Copy:
        raise database.BackupError("the disk is full")

    monkeypatch.setattr(database, "copy_to", fail)
    with pytest.raises(CommandError, match="the disk is full"):
        call_command("backup", out=tmp_path, stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_old_archives_are_removed_and_nothing_else(tmp_path: Path) -> None:
    names = [
        "fugong-backup-20261101T030000+0800.tar",  # 36 days before the day below: removed
        "fugong-backup-20261124T030000+0800.tar",  # 13 days: kept
        "fugong-backup-notes.tar",  # not named by a backup: never ours to delete
        "other.tar",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=UTC), tick=False):
        removed = create.prune(tmp_path, 14, lambda line: None)
        assert create.prune(tmp_path, 0, lambda line: None) == []  # 0 keeps them all
    assert [p.name for p in removed] == [names[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])
