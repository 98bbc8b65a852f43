"""Every periodic job of Fugong, in one place. The worker enqueues each when due.

Modules add their reminders here; data kept for a while is erased by one daily job, from the
kinds each app registers with fugong.core.erasure.
"""

from datetime import time, timedelta

from fugong.accounts.tasks import erase_due_personal_data
from fugong.core.scheduling import Periodic
from fugong.delivery.tasks import sweep_order_holds
from fugong.directory.tasks import apply_due_zone_changes
from fugong.notify.tasks import dispatch_due_messages
from fugong.power.tasks import run_power_day
from fugong.resumption.tasks import compute_latest_days, import_resumption_inbox

PERIODIC_JOBS = [
    # At night, when the door and the hall are quiet (the screening purge ran at 02:30).
    Periodic("erase_due_personal_data", erase_due_personal_data, daily_at=time(2, 30)),
    Periodic("apply_due_zone_changes", apply_due_zone_changes, every=timedelta(minutes=5)),
    Periodic("dispatch_due_messages", dispatch_due_messages, every=timedelta(minutes=1)),
    Periodic("sweep_order_holds", sweep_order_holds, every=timedelta(minutes=5)),
    # Before office hours, so the extension SMS arrive in the morning.
    Periodic("run_power_day", run_power_day, daily_at=time(7, 0)),
    # After the night's meter readings arrive, before the leaders' morning meeting.
    Periodic("compute_resumption_index", compute_latest_days, daily_at=time(6, 30)),
    Periodic("import_resumption_inbox", import_resumption_inbox, every=timedelta(minutes=15)),
]
