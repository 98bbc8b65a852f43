"""The yearly figures for a period and region."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fugong.accounts.permissions import require
from fugong.core.http import AuthedRequest
from fugong.core.spreadsheets import EXPORT_CONTENT_TYPE, write_workbook
from fugong.directory.models import Region

from .. import queries, stats
from ..forms import (
    StatsForm,
)


@login_required
def statistics(request: AuthedRequest) -> HttpResponse:
    """The yearly figures for a period and region, counted from the records; exportable."""
    regions = queries.statistics_regions(request.user)
    require(regions.exists())
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "region": regions.filter(level=Region.Level.COUNTY).first(),
        "first_day": today.replace(month=1, day=1),
        "last_day": today,
    }
    form = StatsForm(request.GET or None, regions=regions, initial=initial)
    data = form.cleaned_data if form.is_bound and form.is_valid() else initial
    result = None
    if data.get("region") is not None:
        result = stats.report(queries.visible_teams(request.user), data["region"], data["first_day"], data["last_day"])
        if request.GET.get("format") == "xlsx":
            rows = [line.as_dict() for line in result.lines] + [result.total.as_dict()]
            title = f"{data['region'].name} {data['first_day']}–{data['last_day']}"
            response = HttpResponse(write_workbook(title, stats.COLUMNS, rows), content_type=EXPORT_CONTENT_TYPE)
            response["Content-Disposition"] = (
                f'attachment; filename="volunteers-{data["first_day"]}-{data["last_day"]}.xlsx"'
            )
            return response
    return render(request, "volunteers/statistics.html", {"form": form, "report": result, "columns": stats.COLUMNS})
