from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.erasure import erase_due_personal_data
from fugong.core import erasure


class Command(BaseCommand):
    help = "Erase the kept data past its retention period now, as the daily job does (--dry-run: only list it)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List each kind of kept data and how many of its rows are due; change nothing.",
        )
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="With --dry-run: what will be due by the night of that day (what goes next week).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["on"] is not None:
            if not options["dry_run"]:
                raise CommandError(_("--on only goes with --dry-run: nothing is erased before it is due."))
            now = timezone.make_aware(datetime.combine(options["on"], time(23, 59)))
        kinds = erasure.kinds()
        if options["dry_run"]:
            counts = {kind.code: erasure.due_count(kind, now) for kind in kinds}
            heading = _("due now") if options["on"] is None else _("due by %(day)s") % {"day": options["on"]}
        else:
            with audit.origin(audit.Origin("command")):
                counts = erase_due_personal_data(now)
            heading = _("erased")
        rows = [(_("kind"), _("kept data"), _("kept for"), _("counted from"), _("then"), heading)]
        rows += [
            (k.code, str(k.label), k.kept.describe(), str(k.counted_from), str(k.action.label), str(counts[k.code]))
            for k in kinds
        ]
        self.stdout.write(_table(rows))
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was erased."))


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, counting a Chinese character as two columns."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)
