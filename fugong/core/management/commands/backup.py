from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fugong.core.backups import BackupError, create


class Command(BaseCommand):
    help = (
        "Write one archive of the database, the resumption store and the uploads, then remove the folder's "
        "archives older than --keep-days. See 'Back up' in the README."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", type=Path, help="Folder for the archive (default: BACKUP_DIR, or var/backups).")
        parser.add_argument(
            "--keep-days",
            type=int,
            help="Remove this folder's archives older than this many days; 0 keeps all "
            f"(default: BACKUP_KEEP_DAYS, or {create.DEFAULT_KEEP_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["out"] or create.default_folder()
        keep_days = create.default_keep_days() if options["keep_days"] is None else options["keep_days"]
        try:
            create.back_up(out, self.stdout.write)
            create.prune(out, keep_days, self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
