from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from fugong.accounts.permissions import require
from fugong.core.http import AuthedRequest
from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE

from .. import documents, queries
from ..access import may_plan
from ..services import printing

MAKERS = {
    "sheets": (documents.route_sheets_pdf, "application/pdf", "route-sheets-{day}.pdf"),
    "loading": (documents.loading_lists_pdf, "application/pdf", "loading-lists-{day}.pdf"),
    "xlsx": (documents.plan_workbook, EXPORT_CONTENT_TYPE, "plan-{day}.xlsx"),
}


@login_required
def plan_document(request: AuthedRequest, plan_id: int, kind: str) -> HttpResponse:
    """Route sheets and loading lists hold the shops' mobiles: for planners only."""
    plan = get_object_or_404(queries.visible_plans(request.user), pk=plan_id)
    require(may_plan(request.user, plan.organisation))
    if kind not in MAKERS:
        raise Http404
    make, content_type, filename = MAKERS[kind]
    if kind in documents.PRINTED:  # the kept PDF while the plan gives the same paper, else made now and kept
        printed = documents.printed(plan, kind)
        if not printed.kept:
            printing.keep_document(request.user, plan, printed)
        body = printed.pdf
    else:
        body = make(plan)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename.format(day=plan.day.isoformat())}"'
    return response
