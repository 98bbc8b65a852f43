"""The audit log as a kind of kept data, and the run of every registered kind with its audit
entries (here, not in core: core is the bottom layer and cannot write the audit log)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fugong.core import erasure

from . import audit
from .models import AuditEntry

AUDIT = erasure.Period("audit", "RETENTION_AUDIT_DAYS")


def _audit_entries(now: datetime) -> QuerySet[Any]:
    return AuditEntry.objects.filter(created_at__lt=AUDIT.before(now))


erasure.register(
    erasure.Kind(
        code="accounts.audit",
        label=_("audit log entries"),
        holds=_("who did what, from which network address, and the names of what they changed"),
        kept=AUDIT,
        counted_from=_("the entry"),
        action=erasure.Action.DELETE,
        models=("accounts.auditentry",),
        due=_audit_entries,
    )
)


def erase_due_personal_data(now: datetime | None = None) -> dict[str, int]:
    """Erase what every registered kind has due, kind by kind, each in chunks of their own
    transactions; then one audit entry per kind that erased something, with its count (never
    whose rows). A kind with nothing due writes none: the entry records an act, and the log
    people read is not filled with a dozen "0" lines a day (the task's own result says it ran).
    """
    now = now or timezone.now()
    erased = {}
    for kind in erasure.kinds():
        erased[kind.code] = count = erasure.erase(kind, now)
        if count:
            # Named in the site's first language, like every name the log keeps; the code
            # beside it is what one searches for.
            with translation.override(settings.LANGUAGE_CODE):
                named = f"{kind.label}（{kind.code}）"
            audit.record_about(None, "personal_data.erased", kind.models[0], kind.code, named, changes={"n": count})
    return erased
