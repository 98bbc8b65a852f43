from typing import Any

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import override

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.imports import import_stored_file
from fugong.core.jobs import Progress, tracked
from fugong.directory.models import Organisation

from . import documents
from .models import DeliveryPlan
from .services import orders, planning, printing
from .services.exchange import IMPORTERS

STEPS = 1000  # progress of a plan run, in thousandths


@task()
@tracked
def plan_deliveries(progress: Progress, plan_id: int, keep_locked: bool, language: str) -> dict[str, Any]:
    """Solve a plan's legs (the page shows progress) and store its routes."""
    plan = DeliveryPlan.objects.select_related("organisation", "depot").get(pk=plan_id)
    with override(language), audit.origin(audit.Origin("task")):
        progress.update(0, STEPS, _("Planning routes…"))

        def report(fraction: float, where: str) -> None:
            # run_plan holds one transaction: progress goes through a side connection.
            progress.update(
                min(STEPS - 1, int(fraction * STEPS)),
                message=_("Planning routes: %s") % where,
                inside_transaction=True,
            )

        result = planning.run_plan(plan, keep_locked=keep_locked, progress=report)
        progress.update(STEPS)
        result["message"] = _("%(shops_served)d of %(shops)d shops planned on %(routes)d routes.") % result
        return result


@task()
@tracked
def import_delivery_file(
    progress: Progress, kind: str, organisation_id: int, stored_name: str, filename: str, user_id: int, language: str
) -> dict[str, Any]:
    """Import an uploaded shops or orders file, all rows or none."""
    columns, importer = IMPORTERS[kind]
    actor = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    with override(language):
        text = _("%(rows)d rows imported: %(created)d new, %(updated)d updated.")
    return import_stored_file(
        progress,
        stored_name,
        filename,
        columns,
        lambda rows: importer(actor, organisation, rows, progress),
        language,
        text,
    )


@task()
def print_plan_documents(plan_id: int, language: str) -> dict[str, Any]:
    """Make and keep a published plan's route sheets and loading lists, so the network point's
    first print is quick (in the language of whoever published it, as they would print it)."""
    plan = DeliveryPlan.objects.select_related("organisation__region").get(pk=plan_id)
    made = []
    with override(language):
        for kind in documents.PRINTED:
            printed = documents.printed(plan, kind)
            if not printed.kept:
                printing.keep_document(None, plan, printed)
                made.append(kind)
    return {"made": made}


@task()
def sweep_order_holds() -> dict[str, Any]:
    """Hold or release orders whose area's status changed without a signal (a safety net)."""
    with audit.origin(audit.Origin("task")):
        held, released = orders.sync_holds()
    return {"held": held, "released": released}
