from django.tasks import task

from . import audit
from .erasure import erase_due_personal_data as erase_due


@task()
def erase_due_personal_data() -> dict[str, int]:
    """Daily: every registered kind of kept data past its retention period goes (core.erasure)."""
    with audit.origin(audit.Origin("task")):
        return erase_due()
