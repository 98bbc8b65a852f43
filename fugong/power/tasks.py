from typing import Any

from django.tasks import task

from fugong.accounts import audit

from . import applications, hall, priority


@task()
def run_power_day() -> dict[str, Any]:
    """Daily, early morning: start, extend (with the SMS) and end suspensions; lapse
    yesterday's open queue numbers; erase residents whose registration ended long ago."""
    with audit.origin(audit.Origin("task")):
        result: dict[str, Any] = applications.run_daily()
        result["tickets_lapsed"] = hall.lapse_old_tickets()
        result["residents_erased"] = priority.erase_ended_registrations()
        return result
