from typing import Any

from django.tasks import task

from fugong.accounts import audit

from .retention import purge_expired


@task()
def purge_screening_records() -> dict[str, Any]:
    """Daily: check-ins and staff temperatures past retention go; the daily counts stay."""
    with audit.origin(audit.Origin("task")):
        return purge_expired()
