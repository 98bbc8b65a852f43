"""Excel downloads of a list, masked by default.

`?export=1` gives the list as everyone may see it: mobiles masked. `?export=full` gives the
numbers in full (a file to import back, or to hand to a call centre) and only to the
organisation's administrators, who are the ones keeping those records; each such download is
written to the audit log with its row count, so who took which numbers home can be answered.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE, Column, write_workbook

from . import audit
from .permissions import require, scope_of

FULL = "full"


def is_export(request: HttpRequest) -> bool:
    return bool(request.GET.get("export"))


def may_export_full(user: Any, organisation: Model) -> bool:
    return organisation.pk in scope_of(user).admin_org_ids


def workbook_response(
    request: HttpRequest,
    *,
    title: str,
    columns: Sequence[Column],
    rows: Callable[[bool], Iterable[dict[str, Any]]],
    filename: str,
    organisation: Model,
) -> HttpResponse:
    """The list as an .xlsx download; `rows(full)` yields the rows with full or masked numbers."""
    full = request.GET.get("export") == FULL
    if full:
        require(may_export_full(request.user, organisation))
    counted = _Counted(rows(full))
    body = write_workbook(title, columns, counted)
    if full:
        audit.record(
            request.user,  # type: ignore[arg-type]
            "export.full_numbers",
            organisation,
            changes={"export": title, "rows": counted.count},
            organisation_id=organisation.pk,
        )
    response = HttpResponse(body, content_type=EXPORT_CONTENT_TYPE)
    kind = f"{filename}-full-mobiles" if full else filename  # never mistaken for the masked file
    response["Content-Disposition"] = f'attachment; filename="{kind}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


class _Counted:
    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row
