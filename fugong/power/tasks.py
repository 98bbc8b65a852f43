from typing import Any

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import override

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.imports import import_stored_file
from fugong.core.jobs import Progress, tracked
from fugong.directory.models import Organisation

from .services import applications, exchange, hall


@task()
def run_power_day() -> dict[str, Any]:
    """Daily, early morning: start, extend (with the SMS) and end suspensions; lapse
    yesterday's open queue numbers. (Residents whose registration ended long ago are erased
    with the other kept data: fugong.accounts.tasks.erase_due_personal_data.)"""
    with audit.origin(audit.Origin("task")):
        result: dict[str, Any] = applications.run_daily()
        result["tickets_lapsed"] = hall.lapse_old_tickets()
        return result


@task()
@tracked
def import_power_accounts(
    progress: Progress, organisation_id: int, stored_name: str, filename: str, user_id: int, language: str
) -> dict[str, Any]:
    """Import an uploaded accounts file, all rows or none."""
    actor = User.objects.get(pk=user_id)
    organisation = Organisation.objects.select_related("region").get(pk=organisation_id)
    with override(language):
        text = _("%(rows)d rows imported: %(created)d new, %(updated)d updated.")
    return import_stored_file(
        progress,
        stored_name,
        filename,
        exchange.COLUMNS,
        lambda rows: exchange.import_accounts(actor, organisation, rows, progress),
        language,
        text,
    )
