"""Writing a backup archive, and removing the old ones.

The archive is written under a hidden temporary name in its folder and renamed when complete, so
a name fugong-backup-*.tar is always a whole archive; on any failure the partial file is removed."""

import os
import tarfile
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong import environment as env
from fugong.core.backups import BackupError, archive, database

STAMP = "%Y%m%dT%H%M%S%z"
PREFIX, SUFFIX = "fugong-backup-", ".tar"
DEFAULT_KEEP_DAYS = 14


def default_folder() -> Path:
    return env.path("BACKUP_DIR", Path(settings.VAR_DIR) / "backups")


def default_keep_days() -> int:
    return env.integer("BACKUP_KEEP_DAYS", DEFAULT_KEEP_DAYS)


def folders() -> dict[str, Path]:
    """What is kept as files, by its folder in the archive."""
    return {"store": Path(settings.RESUMPTION_STORE), "media": Path(settings.MEDIA_ROOT)}


def back_up(out: Path, report: Callable[[str], None]) -> Path:
    started = time.monotonic()
    for root in folders().values():
        if out.resolve().is_relative_to(root.resolve()):
            raise BackupError(_("Write backups outside %(folder)s, which is backed up.") % {"folder": root})
    out.mkdir(parents=True, exist_ok=True)
    final = out / f"{PREFIX}{timezone.localtime().strftime(STAMP)}{SUFFIX}"
    if final.exists():
        raise BackupError(_("%(archive)s exists already; try again in a second.") % {"archive": final})
    handle, partial_name = tempfile.mkstemp(prefix=f".{PREFIX}", suffix=".partial", dir=out)  # mode 0600
    partial = Path(partial_name)
    try:
        with tempfile.TemporaryDirectory(prefix=f".{PREFIX}", dir=out) as scratch, os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                writer = archive.Writer(tar)
                report(_("1/3 database (%(engine)s) …") % {"engine": database.engine()})
                copy = database.copy_to(Path(scratch) / "database")
                entry = writer.add_file(copy.path, database.ARCHIVE_NAMES[copy.engine])
                copy.path.unlink()
                rows = sum(copy.tables.values())
                report(
                    _("    %(tables)d tables, %(rows)d rows, %(size)s")
                    % {"tables": len(copy.tables), "rows": rows, "size": filesizeformat(entry.size)}
                )
                for step, (folder, root) in enumerate(folders().items(), start=2):
                    files, size = writer.add_folder(root, folder)
                    report(
                        _("%(step)d/3 %(folder)s (%(root)s): %(files)d files, %(size)s")
                        % {"step": step, "folder": folder, "root": root, "files": files, "size": filesizeformat(size)}
                    )
                writer.add_manifest(
                    {
                        "created_at": timezone.localtime().isoformat(),
                        "engine": copy.engine,
                        "database": {"path": entry.path, **copy.tool},
                        "migrations": copy.migrations,
                        "tables": copy.tables,
                    }
                )
            raw.flush()
            os.fsync(raw.fileno())
        partial.rename(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    seconds = round(time.monotonic() - started, 1)
    report(
        _("Archive: %(archive)s (%(size)s, %(seconds)s s)")
        % {"archive": final, "size": filesizeformat(final.stat().st_size), "seconds": seconds}
    )
    return final


def prune(out: Path, keep_days: int, report: Callable[[str], None]) -> list[Path]:
    """Delete this folder's archives written more than `keep_days` ago (judged by the time in
    their names, which copying does not change); 0 keeps them all."""
    if keep_days <= 0:
        return []
    cutoff = timezone.now() - timedelta(days=keep_days)
    removed = []
    for path in sorted(out.glob(f"{PREFIX}*{SUFFIX}")):
        try:
            written = datetime.strptime(path.name.removeprefix(PREFIX).removesuffix(SUFFIX), STAMP)
        except ValueError:
            continue  # not named by us: not ours to delete
        if written < cutoff:
            path.unlink()
            removed.append(path)
            report(_("Removed %(archive)s (older than %(days)d days)") % {"archive": path, "days": keep_days})
    return removed
