from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fugong.core.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `fugong backup` into an empty database and empty media and store "
        "folders, with the site stopped; --check only checks the archive."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--check", action="store_true", help="Only check the archive is whole; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                restore.check(options["archive"], self.stdout.write)
                return
            differ = restore.restore(options["archive"], self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if differ:
            raise CommandError(_("The restored row counts differ from the archive's (above)."))
