from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from fugong.accounts.permissions import require
from fugong.core.api import ERRORS, IDEMPOTENT, WRITE_ERRORS, respond_once
from fugong.core.http import AuthedRequest

from . import queries, services
from .models import Organisation, Region, Site, SiteKind, ZoneStatus, ZoneStatusChange

router = Router(tags=["directory"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    zone_status: str
    effective_zone_status: str

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent else None

    @staticmethod
    def resolve_effective_zone_status(obj: Region) -> str:
        return queries.effective_zone_status(obj)


class ZoneChangeOut(Schema):
    id: int
    region_code: str
    status: ZoneStatus
    effective_at: datetime
    note: str
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_region_code(obj: ZoneStatusChange | dict[str, Any]) -> str:
        return obj["region_code"] if isinstance(obj, dict) else obj.region.code


class ZoneChangeIn(Schema):
    status: ZoneStatus
    effective_at: datetime | None = Field(None, description="Empty: now. A later time schedules the change.")
    note: str = Field("", max_length=200)


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region_code: str = Field(alias="region.code")
    credit_code: str
    is_active: bool


class SiteOut(Schema):
    id: int
    organisation_id: int
    name: str
    kind: str
    region_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    opening_hours: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_region_code(obj: Site | dict[str, Any]) -> str:
        # A replayed idempotent answer is the stored JSON, not a model instance.
        return obj["region_code"] if isinstance(obj, dict) else obj.region.code


# On the globe: anything else could not be rounded to the column's six decimals.
Latitude = Annotated[Decimal, Field(ge=-90, le=90)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180)]


class SiteIn(Schema):
    organisation_id: int
    name: str
    kind: SiteKind
    region_code: str
    address: str = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    opening_hours: str = ""
    phone: str = ""


def _null_is_empty(value: str | None) -> str:
    return "" if value is None else value


# Text a site may leave empty: `null` empties it as "" does (the column holds no NULL).
ClearableText = Annotated[str | None, AfterValidator(_null_is_empty)]


class SitePatch(Schema):
    """What to change; a field left out stays as it is. `null` (or "") empties the address,
    opening hours and phone, and `null` removes the coordinates; a `null` name, kind or
    `is_active` is refused (422)."""

    name: str | None = None
    kind: SiteKind | None = None
    region_code: str | None = None
    address: ClearableText = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    opening_hours: ClearableText = None
    phone: ClearableText = None
    is_active: bool | None = None


class ListFilter(Schema):
    q: str = ""
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)  # a larger one overflows the database's OFFSET


@router.get("/regions", response={200: list[RegionOut], **ERRORS})
def list_regions(request: AuthedRequest, filters: Query[ListFilter], parent: str = "") -> Any:
    """Regions; `q` matches Chinese names, pinyin and initials; `parent` lists children."""
    qs = queries.regions()
    if parent:
        qs = qs.filter(parent__code=parent)
    qs = queries.search(qs, filters.q)
    return qs[filters.offset : filters.offset + filters.limit]


@router.get("/regions/{code}", response={200: RegionOut, **ERRORS})
def get_region(request: AuthedRequest, code: str) -> Region:
    return get_object_or_404(queries.regions(), code=code)


@router.get("/regions/{code}/zone-changes", response={200: list[ZoneChangeOut], **ERRORS})
def list_zone_changes(request: AuthedRequest, code: str, due: bool = False) -> Any:
    """A region's lockdown history, the latest first; `due=true`: the changes scheduled
    ahead in it and the regions inside it, the soonest first."""
    region = get_object_or_404(queries.regions(), code=code)
    if due:
        return list(queries.scheduled_zone_changes_within(region))
    return list(region.zone_history.select_related("region")[:100])


@router.post(
    "/regions/{code}/zone-changes",
    response={201: ZoneChangeOut, **WRITE_ERRORS},
    openapi_extra=IDEMPOTENT,
)
def create_zone_change(request: AuthedRequest, code: str, payload: ZoneChangeIn) -> Status[Any]:
    """Change a region's lockdown status now, or schedule it with a later `effective_at`."""

    def act() -> tuple[int, Any]:
        region = get_object_or_404(queries.regions(), code=code)
        if payload.effective_at is not None and payload.effective_at <= timezone.now():
            raise ValidationError({"effective_at": _("This time has passed; leave it empty to change the status now.")})
        change = services.set_zone_status(
            request.user, region, payload.status, effective_at=payload.effective_at, note=payload.note
        )
        return 201, _zone_change_json(change)

    return respond_once(request, payload.model_dump(mode="json"), act)


@router.post("/zone-changes/{change_id}/withdraw", response={200: ZoneChangeOut, **WRITE_ERRORS})
def withdraw_zone_change(request: AuthedRequest, change_id: int) -> dict[str, Any]:
    """Withdraw a change scheduled ahead before it takes effect (again: no change)."""
    change = get_object_or_404(queries.settable_zone_changes(request.user), pk=change_id)
    return _zone_change_json(services.withdraw_zone_change(request.user, change))


def _zone_change_json(change: ZoneStatusChange) -> dict[str, Any]:
    return ZoneChangeOut.from_orm(change).model_dump(mode="json")


@router.get("/organisations", response={200: list[OrganisationOut], **ERRORS})
def list_organisations(request: AuthedRequest, filters: Query[ListFilter]) -> Any:
    require(queries.may_browse_organisations(request.user))
    qs = queries.search(queries.visible_organisations(request.user), filters.q)
    return qs[filters.offset : filters.offset + filters.limit]


@router.get("/sites", response={200: list[SiteOut], **ERRORS})
def list_sites(request: AuthedRequest, filters: Query[ListFilter], kind: str = "") -> Any:
    require(queries.may_browse_sites(request.user))
    qs = queries.visible_sites(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    qs = queries.search(qs, filters.q)
    return qs[filters.offset : filters.offset + filters.limit]


@router.get("/sites/{site_id}", response={200: SiteOut, **ERRORS})
def get_site(request: AuthedRequest, site_id: int) -> Site:
    return get_object_or_404(queries.browsable_sites(request.user), pk=site_id)


def _region_or_404(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def _site_json(site: Site) -> dict[str, Any]:
    return SiteOut.from_orm(site).model_dump(mode="json")


@router.post("/sites", response={201: SiteOut, 200: SiteOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def create_site(request: AuthedRequest, payload: SiteIn) -> Status[Any]:
    """Create a site; send an `Idempotency-Key` header so a resend does not create two."""

    def act() -> tuple[int, Any]:
        org: Organisation = get_object_or_404(queries.visible_organisations(request.user), pk=payload.organisation_id)
        fields = payload.model_dump(exclude={"organisation_id", "region_code"})
        site = services.create_site(
            request.user, organisation=org, region=_region_or_404(payload.region_code), **fields
        )
        return 201, _site_json(site)

    return respond_once(request, payload.model_dump(mode="json"), act)


@router.patch("/sites/{site_id}", response={200: SiteOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT)
def update_site(request: AuthedRequest, site_id: int, payload: SitePatch) -> Status[Any]:
    def act() -> tuple[int, Any]:
        site = get_object_or_404(queries.browsable_sites(request.user), pk=site_id)
        fields = payload.model_dump(exclude_unset=True, exclude={"region_code"})
        if payload.region_code:
            fields["region"] = _region_or_404(payload.region_code)
        return 200, _site_json(services.update_site(request.user, site, **fields))

    return respond_once(request, payload.model_dump(mode="json", exclude_unset=True), act)
