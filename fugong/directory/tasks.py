from typing import Any

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import override

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.imports import import_stored_file
from fugong.core.jobs import Progress, tracked

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
    with override(language):  # the summary is worded in the language of the person who asked
        text = _("%(rows)d rows imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
    return import_stored_file(
        progress, stored_name, filename, columns, lambda rows: importer(actor, rows, progress), language, text
    )
