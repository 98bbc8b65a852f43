"""Resumption index API: the cities' figures for a leaders' screen or a statistics bureau, and
for the city's coordinators the method, file uploads (checked in a background job) and
computing. Writes take `Idempotency-Key`: a resent upload is imported once."""

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fugong.accounts.permissions import require
from fugong.core.api import ERRORS, IDEMPOTENT, UPLOAD_ERRORS, WRITE_ERRORS, JobOut, respond_once
from fugong.core.api_types import Day
from fugong.core.http import AuthedRequest

from . import queries, services
from .models import FileKind, IndexFigure, IndexSetup
from .tasks import start_compute, start_import

router = Router(tags=["resumption"])
MAX_FIGURES = 10_000


class SetupOut(Schema):
    id: int
    region: str  # division code of the city or province
    region_name: str
    baseline_kind: str
    baseline_start: date | None
    baseline_end: date | None
    threshold: Decimal
    weight: Decimal
    exclude_suspended: bool
    reopening_days: list[date]
    latest_day: date | None
    days: list[date]  # the days with figures, newest first: `ranking?day=` takes any of them
    may_manage: bool


class MethodIn(Schema):
    """What to change; what is left out stays as it is. `null` reopening days means none."""

    baseline_kind: str | None = None
    baseline_start: Day | None = None
    baseline_end: Day | None = None
    threshold: Decimal | None = None
    weight: Decimal | None = None
    exclude_suspended: bool | None = None
    reopening_days: list[date] | None = None


class FigureOut(Schema):
    day: date
    county: str
    county_name: str
    industry: str  # blank: the whole county
    accounts: int
    excluded: int
    resumed: int
    account_ratio: float
    consumption_ratio: float
    index: float
    rank: int
    index_year_before: float | None


def _setup_json(request: AuthedRequest, setup: IndexSetup) -> dict[str, Any]:
    return {
        "id": setup.pk,
        "region": setup.region.code,
        "region_name": setup.region.name,
        "baseline_kind": setup.baseline_kind,
        "baseline_start": setup.baseline_start,
        "baseline_end": setup.baseline_end,
        "threshold": setup.threshold,
        "weight": setup.weight,
        "exclude_suspended": setup.exclude_suspended,
        "reopening_days": setup.reopening_days,
        "latest_day": queries.latest_day(setup),
        "days": queries.computed_days(setup),
        "may_manage": services.may_manage(request.user, setup.region),
    }


def _figures_json(setup: IndexSetup, figures: QuerySet[IndexFigure]) -> list[dict[str, Any]]:
    names = queries.county_names(setup)
    rows = figures.values(*[f for f in FigureOut.model_fields if f != "county_name"])
    return [{**row, "county_name": names.get(row["county"], row["county"])} for row in rows]


def _setup(request: AuthedRequest, setup_id: int) -> IndexSetup:
    return get_object_or_404(queries.visible_setups(request.user), pk=setup_id)


def _managed(request: AuthedRequest, setup_id: int) -> IndexSetup:
    setup = _setup(request, setup_id)
    require(services.may_manage(request.user, setup.region))
    return setup


@router.get("/setups", response={200: list[SetupOut], **ERRORS})
def setup_list(request: AuthedRequest) -> list[dict[str, Any]]:
    """The cities whose index you may read, with their method."""
    return [_setup_json(request, s) for s in queries.visible_setups(request.user)]


@router.patch("/setups/{setup_id}/method", response={200: SetupOut, **WRITE_ERRORS})
def save_method(request: AuthedRequest, setup_id: int, payload: MethodIn) -> dict[str, Any]:
    """Change the method (coordinators over the city); compute again to apply it to past days."""
    setup = _managed(request, setup_id)
    fields = payload.dict(exclude_unset=True)
    if "reopening_days" in fields:  # null, like [], means none (the column holds a list, not NULL)
        fields["reopening_days"] = sorted({d.isoformat() for d in payload.reopening_days or []})
    return _setup_json(request, services.save_setup(request.user, setup.region, **fields))


@router.get("/setups/{setup_id}/figures", response={200: list[FigureOut], **ERRORS})
def figure_list(
    request: AuthedRequest,
    setup_id: int,
    start: Day | None = None,
    end: Day | None = None,
    county: str = "",
    industry: str = "",
    all_industries: bool = False,
) -> list[dict[str, Any]]:
    """Figures per day: by county (the default), of one `industry`, or every industry of each
    county with `all_industries`; oldest first, at most 10,000 rows (narrow the days for more)."""
    setup = _setup(request, setup_id)
    figures = setup.figures.order_by("day", "rank", "county", "industry")
    if start:
        figures = figures.filter(day__gte=start)
    if end:
        figures = figures.filter(day__lte=end)
    if county:
        figures = figures.filter(county=county)
    if not all_industries:
        figures = figures.filter(industry=industry)
    if figures.count() > MAX_FIGURES:
        raise HttpError(422, _("More than %(n)d figures: choose fewer days.") % {"n": MAX_FIGURES})
    return _figures_json(setup, figures)


@router.get("/setups/{setup_id}/ranking", response={200: list[FigureOut], **ERRORS})
def ranking(request: AuthedRequest, setup_id: int, day: Day | None = None) -> list[dict[str, Any]]:
    """The counties in rank order on a day (the latest computed day when none is given)."""
    setup = _setup(request, setup_id)
    day = day or queries.latest_day(setup)
    if day is None:
        return []  # nothing computed yet
    return _figures_json(setup, setup.figures.filter(day=day, industry="").order_by("rank", "county"))


@router.post(
    "/setups/{setup_id}/files", response={202: JobOut, **WRITE_ERRORS, **UPLOAD_ERRORS}, openapi_extra=IDEMPOTENT
)
def upload(request: AuthedRequest, setup_id: int, kind: Form[str], file: File[UploadedFile]) -> Status[Any]:
    """Import an accounts or readings file (Parquet or CSV). The answer is the job that checks
    every row: poll `/api/jobs/{id}`; a bad file is refused whole with its row and reason."""
    setup = _managed(request, setup_id)
    if kind not in FileKind.values:
        raise ValidationError({"kind": _("Choose accounts or readings.")})
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)

    def act() -> tuple[int, Any]:
        return 202, JobOut.from_orm(start_import(request.user, setup, kind, file)).dict()

    return respond_once(request, {"kind": kind, "name": file.name, "sha256": digest.hexdigest()}, act)


@router.post("/setups/{setup_id}/compute", response={202: JobOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def compute(request: AuthedRequest, setup_id: int, again: bool = False) -> Status[Any]:
    """Compute the days that have readings and no figures yet, or every day `again`."""
    setup = _managed(request, setup_id)

    def act() -> tuple[int, Any]:
        return 202, JobOut.from_orm(start_compute(request.user, setup, again=again)).dict()

    return respond_once(request, {"again": again}, act)
