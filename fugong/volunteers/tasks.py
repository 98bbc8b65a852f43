from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import CaseOutcome, MediationParty, Member, Offer

ERASED = "（已删除）"


@task()
def erase_expired_personal_data() -> dict[str, Any]:
    """Daily: members who left a year ago lose their name, mobile and account link (the counts
    they contributed to stay); parties of cases closed long ago lose their name and mobile."""
    today = timezone.localdate()
    left_before = today - timedelta(days=settings.RETENTION_DAYS["former_members"])
    closed_before = today - timedelta(days=settings.RETENTION_DAYS["mediation_parties"])
    with transaction.atomic():
        former = Member.objects.filter(left_on__lt=left_before).exclude(name=ERASED)
        Offer.objects.filter(member__in=former).update(plate="", note="")
        members = former.update(name=ERASED, mobile="", user=None, village=None, search_key="")
        parties = (
            MediationParty.objects.filter(case__closed_on__lt=closed_before)
            .exclude(case__outcome=CaseOutcome.OPEN)
            .exclude(name=ERASED)
            .update(name=ERASED, mobile="")
        )
    return {"members": members, "parties": parties}
