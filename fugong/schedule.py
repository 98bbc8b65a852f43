"""Every periodic job of Fugong, in one place. The worker enqueues each when due.

Modules add their daily purges and reminders here.
"""

from datetime import time

from fugong.accounts.tasks import purge_old_audit_entries
from fugong.core.scheduling import Periodic
from fugong.core.tasks import purge_idempotency_keys, purge_old_jobs

PERIODIC_JOBS = [
    Periodic("purge_idempotency_keys", purge_idempotency_keys, daily_at=time(3, 0)),
    Periodic("purge_old_jobs", purge_old_jobs, daily_at=time(3, 10)),
    Periodic("purge_old_audit_entries", purge_old_audit_entries, daily_at=time(3, 20)),
]
