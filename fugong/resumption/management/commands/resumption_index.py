"""`manage.py resumption_index`, for those who run Fugong through Django's manage.py; the
`fugong resumption_index` command runs the same code without Django (resumption/cli.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fugong.resumption import cli


class Command(BaseCommand):
    help = "Compute the work-resumption electricity index from account and meter-reading files."

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(cli.write_index(options))
        except cli.Refused as refused:
            raise CommandError(str(refused)) from None
