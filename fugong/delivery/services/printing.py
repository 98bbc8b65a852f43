"""Keeping a plan's printed paper as made (see `delivery.documents`): the PDF is made outside
any transaction (it takes seconds), then kept here in a short one."""

from collections.abc import Collection

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.transactions import durable

from ..access import may_plan
from ..documents import Printed
from ..models import DeliveryPlan, PlanDocument


@durable
def keep_document(actor: User | None, plan: DeliveryPlan, printed: Printed) -> None:
    """Keep the PDF just made in place of the plan's earlier one of its kind. Not audited: it
    changes nothing anyone decided, only saves making the same paper again."""
    require(may_plan(actor, plan.organisation))
    values = {"digest": printed.digest, "content": printed.pdf, "made_at": timezone.now()}
    try:
        with transaction.atomic():
            PlanDocument.objects.update_or_create(plan=plan, kind=printed.kind, defaults=values)
    except IntegrityError:  # two printed it at once: the other's copy, of the same HTML, stays
        pass


def print_later(plan_ids: Collection[int]) -> None:
    """Make the plans' paper again in the background once the change that calls this commits
    (in the language of whoever made it), so the next print is quick. Correctness does not wait
    on it: until it is done, printing lays the paper out itself."""
    language = get_language() or settings.LANGUAGE_CODE
    ids = sorted(set(plan_ids))

    def enqueue() -> None:
        # Imported here: the task module imports the services.
        from ..tasks import print_plan_documents

        for plan_id in ids:
            print_plan_documents.enqueue(plan_id, language)

    if ids:
        transaction.on_commit(enqueue)
