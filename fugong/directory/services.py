"""Every change to regions, organisations and sites: one function per act, one transaction each."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require, scope_of
from fugong.core.pinyin import search_key
from fugong.core.transactions import durable, service_transaction
from fugong.core.validators import clean_credit_code

from .models import Organisation, Region, Site, ZoneStatus, ZoneStatusChange, parse_opening_hours
from .signals import zone_status_changed

REGION_FIELDS = ("code", "name", "level", "parent")
ORGANISATION_FIELDS = ("name", "short_name", "kind", "region", "credit_code", "contact_phone", "is_active")
SITE_FIELDS = (
    "organisation",
    "name",
    "kind",
    "region",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "is_active",
)


def infer_level(code: str) -> int:
    """Level from the shape of a division code (360000 province, 360800 city, ...)."""
    if len(code) == 12:
        return Region.Level.VILLAGE
    if len(code) == 9:
        return Region.Level.TOWN
    if code.endswith("0000"):
        return Region.Level.PROVINCE
    if code.endswith("00"):
        return Region.Level.CITY
    return Region.Level.COUNTY


def parent_code_of(code: str, level: int) -> str | None:
    """The code of the region one level up, read from the code itself (None for a province)."""
    if level == Region.Level.PROVINCE:
        return None
    if level == Region.Level.CITY:
        return code[:2] + "0000"
    if level == Region.Level.COUNTY:
        return code[:4] + "00"
    return code[: Region.PREFIX_LENGTH[level - 1]].ljust(6, "0")


def _check_region_shape(region: Region) -> None:
    errors: dict[str, str] = {}
    if len(region.code) != Region.CODE_LENGTH.get(region.level, 0):
        errors["code"] = _("A %(level)s code has %(n)d digits.") % {
            "level": region.get_level_display(),
            "n": Region.CODE_LENGTH.get(region.level, 0),
        }
    parent = region.parent
    if parent is not None and "code" not in errors:
        expected = parent_code_of(region.code, region.level)
        if not region.code.startswith(parent.prefix):
            errors["code"] = _("The code must start with the parent region's code %(prefix)s.") % {
                "prefix": parent.prefix
            }
        elif parent.code != expected:
            # A village belongs under its town (360823100), not straight under the county.
            errors["parent"] = _("The region directly above %(code)s is %(parent)s.") % {
                "code": region.code,
                "parent": expected,
            }
    if errors:
        raise ValidationError(errors)


@durable
def save_region(actor: User | None, region: Region | None = None, **fields: Any) -> Region:
    """Create a region or change its name/code/parent; platform admins and coordinators above it."""
    creating = region is None
    region = region or Region()
    before = audit.snapshot(region, REGION_FIELDS) if not creating else {}
    for name, value in fields.items():
        setattr(region, name, value)
    if not region.level and region.code:
        region.level = infer_level(region.code)
    changes = audit.diff(before, audit.snapshot(region, REGION_FIELDS))
    if not creating and not changes:
        return region  # nothing to write, nothing to audit (e.g. re-importing an export)
    if actor is not None:
        scope = scope_of(actor)
        anchor = region.parent.code if region.parent else region.code
        require(scope.covers_region(anchor) and (scope.is_platform_admin or region.parent is not None))
    region.search_key = search_key(region.name)
    region.full_clean()
    _check_region_shape(region)
    region.save()
    audit.record(
        actor, "region.create" if creating else "region.update", region, changes=changes, region_code=region.code
    )
    return region


@durable
def set_zone_status(
    actor: User | None,
    region: Region,
    status: str,
    *,
    effective_at: datetime | None = None,
    note: str = "",
) -> ZoneStatusChange:
    """Close, partly open or open a region; the change is kept in its history."""
    if actor is not None:
        require(scope_of(actor).covers_region(region.code))
    if status not in ZoneStatus.values:
        raise ValidationError({"status": _("Unknown lockdown status.")})
    now = timezone.now()
    when = effective_at or now
    region = Region.objects.select_for_update().get(pk=region.pk)
    if when > now:  # a form sent twice schedules one change
        already = region.zone_history.standing().filter(status=status, effective_at=when).first()
        if already is not None:
            return already
    change = ZoneStatusChange.objects.create(
        region=region, status=status, effective_at=when, note=note, changed_by=actor if actor and actor.pk else None
    )
    if when > now:
        audit.record(
            actor,
            "region.zone_status_scheduled",
            region,
            changes={
                "zone_status": [None, status],
                "effective_from": [None, f"{timezone.localtime(when):%Y-%m-%d %H:%M}"],
                "note": ["", note],
            },
            region_code=region.code,
        )
    else:
        _apply_current_zone_status(actor, region, note)
    return change


@durable
def withdraw_zone_change(actor: User | None, change: ZoneStatusChange) -> ZoneStatusChange:
    """Withdraw a change scheduled ahead before it takes effect; it stays in the history,
    marked withdrawn. Withdrawing it again changes nothing."""
    if actor is not None:
        require(scope_of(actor).covers_region(change.region.code))
    region = Region.objects.select_for_update().get(pk=change.region_id)  # the sweep that applies it waits
    change = ZoneStatusChange.objects.get(pk=change.pk)
    if change.withdrawn_at is not None:
        return change
    now = timezone.now()
    if change.effective_at <= now:
        raise ValidationError(
            _("This change took effect at %(time)s; set a new status instead.")
            % {"time": f"{timezone.localtime(change.effective_at):%Y-%m-%d %H:%M}"}
        )
    change.withdrawn_at = now
    change.withdrawn_by = actor if actor and actor.pk else None
    change.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record(
        actor,
        "region.zone_status_withdrawn",
        region,
        changes={
            "zone_status": [change.status, None],
            "effective_from": [f"{timezone.localtime(change.effective_at):%Y-%m-%d %H:%M}", None],
        },
        region_code=region.code,
    )
    return change


def _apply_current_zone_status(actor: User | None, region: Region, note: str = "") -> bool:
    """Make the region's status that of its latest change in effect (a change may be
    back-dated or scheduled); audit it if it differs. Caller holds the row lock."""
    latest = region.zone_history.standing().filter(effective_at__lte=timezone.now()).first()
    if latest is None or latest.status == region.zone_status:
        return False
    old = region.zone_status
    region.zone_status = latest.status
    region.save(update_fields=["zone_status"])
    zone_status_changed.send(sender=Region, region=region, status=latest.status)
    audit.record(
        actor,
        "region.zone_status",
        region,
        changes={"zone_status": [old, latest.status], "note": ["", note or latest.note]},
        region_code=region.code,
    )
    return True


def apply_due_zone_changes() -> int:
    """Bring every region with a scheduled change now due up to date (run every few minutes)."""
    latest = (
        ZoneStatusChange.objects.standing()
        .filter(region=OuterRef("pk"), effective_at__lte=timezone.now())
        .order_by("-effective_at", "-pk")
    )
    due = (
        Region.objects.annotate(latest_status=Subquery(latest.values("status")[:1]))
        .filter(latest_status__isnull=False)
        .exclude(zone_status=F("latest_status"))
        .values_list("pk", flat=True)
    )
    applied = 0
    for pk in due:  # a region at a time: one that fails holds back no other
        with service_transaction("directory.apply_due_zone_changes"):
            region = Region.objects.select_for_update().get(pk=pk)
            applied += _apply_current_zone_status(None, region)
    return applied


def _save_audited(
    actor: User | None, action: str, obj: Organisation | Site, fields: tuple[str, ...], before: dict[str, Any]
) -> None:
    """Save an organisation or site and record the field changes against its organisation;
    an update that changes nothing writes nothing."""
    changes = audit.diff(before, audit.snapshot(obj, fields))
    if before and not changes:
        return
    obj.save()
    org_id = obj.pk if isinstance(obj, Organisation) else obj.organisation_id
    audit.record(actor, action, obj, changes=changes, organisation_id=org_id, region_code=obj.region.code)


def _prepare_organisation(org: Organisation) -> None:
    org.credit_code = clean_credit_code(org.credit_code) if org.credit_code else ""
    org.search_key = search_key(org.name, org.short_name)
    org.full_clean()


@durable
def create_organisation(actor: User | None, **fields: Any) -> Organisation:
    org = Organisation(**fields)
    if actor is not None:
        require(scope_of(actor).covers_region(org.region.code))
    _prepare_organisation(org)
    _save_audited(actor, "organisation.create", org, ORGANISATION_FIELDS, {})
    return org


@durable
def update_organisation(actor: User | None, org: Organisation, **fields: Any) -> Organisation:
    if actor is not None:
        require(scope_of(actor).can_manage_organisation(org.pk, org.region.code))
    before = audit.snapshot(org, ORGANISATION_FIELDS)
    for name, value in fields.items():
        setattr(org, name, value)
    if actor is not None and str(org.region_id) != before["region"]:
        # Moving an organisation is a coordinator's act in the region it moves to.
        require(scope_of(actor).covers_region(org.region.code))
    _prepare_organisation(org)
    _save_audited(actor, "organisation.update", org, ORGANISATION_FIELDS, before)
    return org


COORDINATE_STEP = Decimal("0.000001")


def _prepare_site(site: Site) -> None:
    # Stored with 6 decimals (about 0.1 m); quantize so an unchanged value compares equal.
    for name in ("latitude", "longitude"):
        value = getattr(site, name)
        if value is not None:
            setattr(site, name, Decimal(value).quantize(COORDINATE_STEP))
    if site.opening_hours:
        try:
            parse_opening_hours(site.opening_hours)
        except ValueError as bad:
            raise ValidationError(
                {"opening_hours": _("“%(part)s” is not a time span like 08:30-12:00.") % {"part": bad}}
            ) from None
    if (site.latitude is None) != (site.longitude is None):
        raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
    site.search_key = search_key(site.name, site.address)
    site.full_clean()


def site_area_prefix(org: Organisation) -> str:
    """Where an organisation may have sites: its city (a county bureau may serve the
    neighbouring county, as Xiajiang's serves Xingan), or its own region if larger."""
    region = org.region
    level = min(region.level, Region.Level.CITY)
    return region.code[: Region.PREFIX_LENGTH[level]]


def _require_manage_site_of(actor: User | None, org: Organisation) -> None:
    if actor is not None:
        require(scope_of(actor).can_manage_organisation(org.pk, org.region.code))


def _check_site_region(actor: User | None, site: Site) -> None:
    scope = scope_of(actor)
    if actor is None or scope.is_platform_admin or scope.covers_region(site.region.code):
        return
    if not site.region.code.startswith(site_area_prefix(site.organisation)):
        raise ValidationError({"region": _("This region is outside the area of %(org)s.") % {"org": site.organisation}})


@durable
def create_site(actor: User | None, **fields: Any) -> Site:
    site = Site(**fields)
    _require_manage_site_of(actor, site.organisation)
    _check_site_region(actor, site)
    _prepare_site(site)
    _save_audited(actor, "site.create", site, SITE_FIELDS, {})
    return site


@durable
def update_site(actor: User | None, site: Site, **fields: Any) -> Site:
    _require_manage_site_of(actor, site.organisation)
    before = audit.snapshot(site, SITE_FIELDS)
    for name, value in fields.items():
        setattr(site, name, value)
    _require_manage_site_of(actor, site.organisation)  # also the organisation it moves to
    if str(site.region_id) != before["region"]:
        _check_site_region(actor, site)
    _prepare_site(site)
    _save_audited(actor, "site.update", site, SITE_FIELDS, before)
    return site
