"""Every periodic job of Fugong, in one place. The worker enqueues each when due.

Modules add their daily purges and reminders here.
"""

from datetime import time, timedelta

from fugong.accounts.tasks import purge_old_audit_entries
from fugong.core.scheduling import Periodic
from fugong.core.tasks import purge_idempotency_keys, purge_old_jobs, purge_rate_events
from fugong.delivery.tasks import purge_delivery_personal_data, sweep_order_holds
from fugong.directory.tasks import apply_due_zone_changes
from fugong.notify.tasks import dispatch_due_messages, purge_old_messages
from fugong.power.tasks import run_power_day
from fugong.resumption.tasks import compute_latest_days, import_resumption_inbox
from fugong.screening.tasks import purge_screening_records
from fugong.volunteers.tasks import erase_expired_personal_data

PERIODIC_JOBS = [
    Periodic("purge_idempotency_keys", purge_idempotency_keys, daily_at=time(3, 0)),
    Periodic("purge_old_jobs", purge_old_jobs, daily_at=time(3, 10)),
    Periodic("purge_old_audit_entries", purge_old_audit_entries, daily_at=time(3, 20)),
    Periodic("purge_rate_events", purge_rate_events, daily_at=time(3, 35)),
    Periodic("apply_due_zone_changes", apply_due_zone_changes, every=timedelta(minutes=5)),
    Periodic("purge_old_messages", purge_old_messages, daily_at=time(3, 40)),
    Periodic("dispatch_due_messages", dispatch_due_messages, every=timedelta(minutes=1)),
    Periodic("erase_expired_volunteer_data", erase_expired_personal_data, daily_at=time(3, 50)),
    Periodic("sweep_order_holds", sweep_order_holds, every=timedelta(minutes=5)),
    Periodic("purge_delivery_personal_data", purge_delivery_personal_data, daily_at=time(4, 0)),
    Periodic("purge_screening_records", purge_screening_records, daily_at=time(2, 30)),
    # Before office hours, so the extension SMS arrive in the morning.
    Periodic("run_power_day", run_power_day, daily_at=time(7, 0)),
    # After the night's meter readings arrive, before the leaders' morning meeting.
    Periodic("compute_resumption_index", compute_latest_days, daily_at=time(6, 30)),
    Periodic("import_resumption_inbox", import_resumption_inbox, every=timedelta(minutes=15)),
]
