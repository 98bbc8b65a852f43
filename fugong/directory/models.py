"""Regions, organisations and sites: the map every other module hangs its data on."""

import re
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.core.validators import validate_credit_code


class ZoneStatus(models.TextChoices):
    """Lockdown status of a region (静态管理 / 网格化管理 / 放开)."""

    CLOSED = "closed", _("Closed (static management)")
    PARTLY_OPEN = "partly_open", _("Partly open (grid management)")
    OPEN = "open", pgettext_lazy("lockdown status", "Open")


# Most restrictive first: a town inside a closed county is closed.
ZONE_STRICTNESS = {ZoneStatus.CLOSED: 2, ZoneStatus.PARTLY_OPEN: 1, ZoneStatus.OPEN: 0}


class Region(models.Model):
    """An administrative division, coded as in GB/T 2260 and the statistical division codes.

    Province, city and county codes have 6 digits (360000, 360800, 360823), towns 9
    (360823100) and villages 12. A region's significant prefix (36, 3608, 360823, ...)
    starts the codes of everything inside it, which is how subtrees are queried.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        COUNTY = 3, _("County")
        TOWN = 4, _("Town")
        VILLAGE = 5, _("Village")

    PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
    CODE_LENGTH = {1: 6, 2: 6, 3: 6, 4: 9, 5: 12}

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    zone_status = models.CharField(_("lockdown status"), max_length=16, choices=ZoneStatus, default=ZoneStatus.OPEN)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$"),
                name="region_code_digits",
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            ),
            models.CheckConstraint(condition=Q(zone_status__in=ZoneStatus.values), name="region_zone_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: self.PREFIX_LENGTH[self.level]]

    @classmethod
    def prefix_of(cls, code: str, level: int) -> str:
        return code[: cls.PREFIX_LENGTH[level]]


class ZoneStatusChangeQuerySet(models.QuerySet["ZoneStatusChange"]):
    def standing(self) -> "ZoneStatusChangeQuerySet":
        """Changes not withdrawn: those that took or will take effect."""
        return self.filter(withdrawn_at__isnull=True)


class ZoneStatusChange(models.Model):
    """History of a region's lockdown status: when it closed, partly opened, opened."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="zone_history")
    status = models.CharField(_("lockdown status"), max_length=16, choices=ZoneStatus)
    effective_at = models.DateTimeField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # A change scheduled ahead may be withdrawn before it takes effect; it stays in the history.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ZoneStatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("lockdown status change")
        ordering = ["-effective_at", "-pk"]
        indexes = [models.Index(fields=["region", "-effective_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_by__isnull=True) | Q(withdrawn_at__isnull=False),
                name="zone_change_withdrawn_by_needs_time",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__lt=F("effective_at")),
                name="zone_change_withdrawn_before_effect",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_status_display()} @ {timezone.localtime(self.effective_at):%Y-%m-%d %H:%M}"


class OrganisationKind(models.TextChoices):
    TOBACCO_BUREAU = "tobacco_bureau", _("Tobacco bureau")
    POWER_SUPPLY = "power_supply", _("Power-supply company")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    VILLAGE_COMMITTEE = "village_committee", _("Village committee")
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government office")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    Kind = OrganisationKind

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations")
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_credit_code_unique",
            ),
            models.UniqueConstraint(fields=["region", "name"], name="organisation_name_unique_in_region"),
            models.CheckConstraint(condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


OPENING_HOURS_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


def parse_opening_hours(text: str) -> list[tuple[time, time]]:
    """ "08:30-12:00, 14:00-17:30" -> [(08:30, 12:00), (14:00, 17:30)]; raises ValueError."""
    spans = []
    for part in re.split(r"[,，;；\s]+", text.strip()):
        if not part:
            continue
        if not OPENING_HOURS_RE.match(part):
            raise ValueError(part)
        start_text, end_text = part.split("-")
        start = time.fromisoformat(start_text)
        end = time(23, 59) if end_text == "24:00" else time.fromisoformat(end_text)
        if end <= start:
            raise ValueError(part)
        spans.append((start, end))
    return spans


class SiteKind(models.TextChoices):
    DEPOT = "depot", _("Distribution centre")
    TRANSFER_STATION = "transfer_station", _("Transfer station")
    NETWORK_POINT = "network_point", _("Network point")
    SERVICE_HALL = "service_hall", _("Service hall")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    WAREHOUSE = "warehouse", _("Warehouse")
    OFFICE = "office", _("Office")
    # A power company's 供电所: its field crew are the site's staff.
    SUPPLY_STATION = "supply_station", _("Supply station")


class Site(models.Model):
    Kind = SiteKind

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="sites")
    address = models.CharField(_("address"), max_length=200, blank=True)
    # WGS-84 (what GPS gives); maps of Chinese providers use GCJ-02 and convert on display.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=100, blank=True, help_text=_("For example 08:30-12:00, 14:00-17:30")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_name_unique_in_organisation"),
            models.CheckConstraint(condition=Q(kind__in=SiteKind.values), name="site_kind_valid"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="site_coordinates_both_and_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name
