from typing import Any

from django.core.files.storage import default_storage
from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import override

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.jobs import JobFailed, Progress, tracked
from fugong.core.spreadsheets import ImportRejected, read_rows

from . import services
from .exchange import IMPORTERS


@task()
def apply_due_zone_changes() -> dict[str, Any]:
    """Lockdown status changes scheduled for a time that has now come."""
    with audit.origin(audit.Origin("task")):
        return {"applied": services.apply_due_zone_changes()}


@task()
@tracked
def import_directory_file(
    progress: Progress, kind: str, stored_name: str, filename: str, user_id: int, language: str
) -> dict[str, Any]:
    """Import an uploaded regions/organisations/sites file, all rows or none."""
    columns, importer = IMPORTERS[kind]
    actor = User.objects.get(pk=user_id)
    try:
        with override(language), audit.origin(audit.Origin("task")):
            progress.update(0, None, _("Reading the file…"))
            with default_storage.open(stored_name, "rb") as upload:
                rows = read_rows(upload, filename, columns)
            summary = importer(actor, rows, progress)
            summary["message"] = (
                _("%(rows)d rows imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.") % summary
            )
            return summary
    except ImportRejected as rejected:
        with override(language):
            raise JobFailed(
                _("Nothing was imported: %d problem(s) to fix in the file.") % len(rejected.errors),
                {"errors": [e.as_dict() for e in rejected.errors]},
            ) from None
    finally:
        default_storage.delete(stored_name)
