"""Restoring an archive into an empty database and empty (or absent) file folders.

Everything that can be checked is checked before anything is written: the archive whole and
unchanged, the engine, the migrations, the target empty. The files are unpacked first and removed
again if the database restore fails, so a failed restore leaves the target as empty as it was."""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext as _

from fugong.core.backups import BackupError, archive, database
from fugong.core.backups.create import folders


def check(path: Path, report: Callable[[str], None]) -> dict[str, Any]:
    report(_("Checking %(archive)s …") % {"archive": path})
    manifest = archive.check(path)
    report(
        _("The archive is whole: %(files)d files, written %(when)s, a %(engine)s database.")
        % {"files": len(manifest["entries"]), "when": manifest["created_at"], "engine": manifest["engine"]}
    )
    return manifest


def restore(path: Path, report: Callable[[str], None]) -> dict[str, tuple[int | None, int | None]]:
    """Restore; returns the tables whose row counts differ from the manifest's (expected, found)."""
    manifest = check(path, report)
    roots = folders()
    for root in roots.values():
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise BackupError(
                _("%(folder)s is not empty: restore only into empty or absent folders.") % {"folder": root}
            )
    database.check_target(manifest["engine"], manifest["migrations"], manifest["database"])
    copies = [entry.path for entry in manifest["entries"] if entry.path.startswith("database/")]
    if copies != [database.ARCHIVE_NAMES[manifest["engine"]]]:  # exactly one database, of its engine
        raise BackupError(_("The archive's manifest cannot be read: this is not a Fugong backup."))
    absent = {root for root in roots.values() if not root.exists()}
    try:
        with tempfile.TemporaryDirectory(prefix="fugong-restore-") as scratch:
            copy = Path(scratch) / "database"

            def target(name: str) -> Path:
                folder, *rest = PurePosixPath(name).parts
                return copy if folder == "database" else roots[folder].joinpath(*rest)

            report(_("Unpacking the files …"))
            archive.unpack(path, manifest, target)
            report(_("Restoring the database …"))
            database.restore_from(copy)
    except BaseException:
        for root in roots.values():
            _empty(root, remove=root in absent)
        raise
    expected: dict[str, int] = manifest["tables"]
    found = database.counts_now()
    differ = {
        table: (expected.get(table), found.get(table))
        for table in expected.keys() | found.keys()
        if expected.get(table) != found.get(table)
    }
    report(
        _("%(tables)d tables, %(rows)d rows restored; %(differ)d tables differ from the manifest.")
        % {"tables": len(found), "rows": sum(found.values()), "differ": len(differ)}
    )
    for table, (wanted, got) in sorted(differ.items()):
        line = _("    %(table)s: %(expected)s in the archive, %(found)s now")
        report(line % {"table": table, "expected": wanted, "found": got})
    pending = database.pending_migrations(manifest["migrations"])
    if pending:
        apps = ", ".join(pending)
        report(_("This code has newer migrations for %(apps)s: run `fugong migrate` now.") % {"apps": apps})
    return differ


def _empty(root: Path, *, remove: bool) -> None:
    """Undo the unpacking: the folder was empty (or absent) before."""
    if remove:
        shutil.rmtree(root, ignore_errors=True)
        return
    for child in root.iterdir() if root.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
