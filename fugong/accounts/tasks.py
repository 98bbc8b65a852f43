from datetime import timedelta
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .models import AuditEntry

CHUNK = 2000


@task()
def purge_old_audit_entries() -> dict[str, Any]:
    """Audit entries past their retention period, deleted in chunks to keep locks short."""
    cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS["audit"])
    deleted = 0
    while True:
        ids = list(AuditEntry.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return {"deleted": deleted}
        deleted += AuditEntry.objects.filter(pk__in=ids).delete()[0]
