"""What other modules may react to without the directory knowing them (data flows upward)."""

from django.dispatch import Signal

# Sent inside the transaction that changes a region's lockdown status, with `region` (the
# region whose status changed; its subtree is affected too) and `status` (the new one).
zone_status_changed = Signal()
