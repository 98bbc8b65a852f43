"""Excel/CSV import and export of regions, organisations and sites.

Every row goes through the same service a form would call, inside a savepoint, so the
rules live in one place. Errors are collected for every row (every bad cell of a row, read
with `Cells`); if there is any, the whole import is rolled back and the person gets the full
list, by row and column.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.core.choices import choice_lookup
from fugong.core.imports import Cells, RowProblem, apply_rows, choice, decimal_in
from fugong.core.jobs import Progress
from fugong.core.spreadsheets import Column, Row

from . import services
from .models import Organisation, Region, Site, ZoneStatus
from .queries import visible_organisations

REGION_COLUMNS = (
    Column("code", gettext_lazy("Division code"), ("代码", "区划代码", "code"), required=True),
    Column("name", pgettext_lazy("thing", "Name"), ("名称", "name"), required=True),
    Column("level", gettext_lazy("Level"), ("级别", "level")),
    Column("parent_code", gettext_lazy("Parent code"), ("上级代码", "parent")),
    Column("zone_status", gettext_lazy("Lockdown status"), ("管控状态", "status")),
)
ORGANISATION_COLUMNS = (
    Column("name", pgettext_lazy("thing", "Name"), ("名称", "单位名称"), required=True),
    Column("short_name", gettext_lazy("Short name"), ("简称",)),
    Column("kind", gettext_lazy("Kind"), ("类型",), required=True),
    Column("region_code", gettext_lazy("Region code"), ("区划代码", "region"), required=True),
    Column("credit_code", gettext_lazy("Unified social credit code"), ("统一社会信用代码", "credit code")),
    Column("contact_phone", gettext_lazy("Contact phone"), ("联系电话",)),
)
SITE_COLUMNS = (
    Column("organisation", gettext_lazy("Organisation"), ("单位", "所属单位"), required=True),
    Column("name", pgettext_lazy("thing", "Name"), ("名称", "场所名称"), required=True),
    Column("kind", gettext_lazy("Kind"), ("类型",), required=True),
    Column("region_code", gettext_lazy("Region code"), ("区划代码", "region"), required=True),
    Column("address", gettext_lazy("Address"), ("地址",)),
    Column("latitude", gettext_lazy("Latitude"), ("纬度", "lat")),
    Column("longitude", gettext_lazy("Longitude"), ("经度", "lng", "lon")),
    Column("opening_hours", gettext_lazy("Opening hours"), ("营业时间", "开放时间")),
    Column("phone", gettext_lazy("Phone"), ("电话",)),
)


FIELD_TO_COLUMN = {"region": "region_code", "parent": "parent_code", "organisation": "organisation"}


def _state(obj: Model | None, fields: tuple[str, ...]) -> dict[str, Any] | None:
    return None if obj is None else audit.snapshot(obj, fields)


def _outcome(before: dict[str, Any] | None, obj: Model, fields: tuple[str, ...]) -> str:
    """ "created", "updated" or "unchanged", for the import summary."""
    if before is None:
        return "created"
    obj.refresh_from_db()
    return "updated" if audit.snapshot(obj, fields) != before else "unchanged"


def _region(code: str, column: str = "region_code") -> Region:
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise RowProblem(column, _("No region has the code “%(code)s”.") % {"code": code})
    return region


REGION_STATE = (*services.REGION_FIELDS, "zone_status")


def import_regions(actor: User | None, rows: list[Row], progress: Progress | None = None) -> dict[str, Any]:
    levels = choice_lookup(Region.Level)
    statuses = choice_lookup(ZoneStatus)
    # Parents first, so a file may list a county and its towns in any order.
    rows = sorted(rows, key=lambda r: len(r.values.get("code", "")))

    def apply_row(cells: Cells) -> str:
        code = cells["code"].strip()
        if not code.isdigit() or len(code) not in (6, 9, 12):
            cells.note("code", _("A division code has 6, 9 or 12 digits."))
        chosen_level = cells.read(choice, cells.get("level", ""), levels, "level", default="")
        parent_code = cells.get("parent_code", "").strip()
        parent = cells.read(_region, parent_code, "parent_code") if parent_code else None
        status = cells.get("zone_status", "")
        if status:
            status = cells.read(choice, status, statuses, "zone_status")
        cells.check()
        level = int(chosen_level) if chosen_level else services.infer_level(code)
        if not parent_code:
            parent_code = services.parent_code_of(code, level) or ""
            parent = _region(parent_code, "parent_code") if parent_code else None
        existing = Region.objects.filter(code=code).first()
        before = _state(existing, REGION_STATE)
        region = services.save_region(actor, existing, code=code, name=cells["name"], level=level, parent=parent)
        if status and status != region.zone_status:
            services.set_zone_status(actor, region, status, note=_("Imported from a file"))
        return _outcome(before, region, REGION_STATE)

    return apply_rows(rows, REGION_COLUMNS, apply_row, progress, FIELD_TO_COLUMN)


def import_organisations(actor: User | None, rows: list[Row], progress: Progress | None = None) -> dict[str, Any]:
    kinds = choice_lookup(Organisation.Kind)

    def apply_row(values: Cells) -> str:
        region = values.read(_region, values["region_code"])
        fields = {
            "name": values["name"],
            "short_name": values.get("short_name", ""),
            "kind": values.read(choice, values.get("kind", ""), kinds, "kind"),
            "region": region,
            "credit_code": values.get("credit_code", ""),
            "contact_phone": values.get("contact_phone", ""),
        }
        values.check()
        existing = Organisation.objects.filter(region=region, name=values["name"]).first()
        credit_code = values.get("credit_code", "").strip().upper()
        if existing is None and credit_code:
            existing = Organisation.objects.filter(credit_code=credit_code).first()
        if existing is None:
            services.create_organisation(actor, **fields)
            return "created"
        before = _state(existing, services.ORGANISATION_FIELDS)
        return _outcome(before, services.update_organisation(actor, existing, **fields), services.ORGANISATION_FIELDS)

    return apply_rows(rows, ORGANISATION_COLUMNS, apply_row, progress, FIELD_TO_COLUMN)


def _organisation(actor: User | None, ref: str) -> Organisation:
    qs = visible_organisations(actor) if actor is not None else Organisation.objects.all()
    org = qs.filter(credit_code=ref.upper()).first()
    for field in ("name", "short_name"):
        if org is not None:
            break
        matches = list(qs.filter(**{field: ref})[:2])
        if len(matches) > 1:
            raise RowProblem(
                "organisation",
                _("Several organisations are called “%(name)s”; use the credit code instead.") % {"name": ref},
            )
        org = matches[0] if matches else None
    if org is None:
        raise RowProblem("organisation", _("No organisation you manage is called “%(name)s”.") % {"name": ref})
    return org


def import_sites(actor: User | None, rows: list[Row], progress: Progress | None = None) -> dict[str, Any]:
    kinds = choice_lookup(Site.Kind)

    def apply_row(values: Cells) -> str:
        org = values.read(_organisation, actor, values["organisation"])
        fields = {
            "organisation": org,
            "name": values["name"],
            "kind": values.read(choice, values.get("kind", ""), kinds, "kind"),
            "region": values.read(_region, values["region_code"]),
            "address": values.get("address", ""),
            "latitude": values.read(decimal_in, values.get("latitude", ""), "latitude"),
            "longitude": values.read(decimal_in, values.get("longitude", ""), "longitude"),
            "opening_hours": values.get("opening_hours", ""),
            "phone": values.get("phone", ""),
        }
        values.check()
        existing = Site.objects.filter(organisation=org, name=values["name"]).first()
        if existing is None:
            services.create_site(actor, **fields)
            return "created"
        before = _state(existing, services.SITE_FIELDS)
        return _outcome(before, services.update_site(actor, existing, **fields), services.SITE_FIELDS)

    return apply_rows(rows, SITE_COLUMNS, apply_row, progress, FIELD_TO_COLUMN)


def region_rows(qs: QuerySet[Region]) -> Iterable[dict[str, Any]]:
    for region in qs.select_related("parent"):
        yield {
            "code": region.code,
            "name": region.name,
            "level": region.get_level_display(),
            "parent_code": region.parent.code if region.parent else "",
            "zone_status": region.get_zone_status_display(),
        }


def organisation_rows(qs: QuerySet[Organisation]) -> Iterable[dict[str, Any]]:
    for org in qs.select_related("region"):
        yield {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.get_kind_display(),
            "region_code": org.region.code,
            "credit_code": org.credit_code,
            "contact_phone": org.contact_phone,
        }


def site_rows(qs: QuerySet[Site]) -> Iterable[dict[str, Any]]:
    for site in qs.select_related("organisation", "region"):
        yield {
            "organisation": site.organisation.credit_code or site.organisation.name,
            "name": site.name,
            "kind": site.get_kind_display(),
            "region_code": site.region.code,
            "address": site.address,
            "latitude": str(site.latitude) if site.latitude is not None else "",
            "longitude": str(site.longitude) if site.longitude is not None else "",
            "opening_hours": site.opening_hours,
            "phone": site.phone,
        }


IMPORTERS = {
    "regions": (REGION_COLUMNS, import_regions),
    "organisations": (ORGANISATION_COLUMNS, import_organisations),
    "sites": (SITE_COLUMNS, import_sites),
}
