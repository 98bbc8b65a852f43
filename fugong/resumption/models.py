"""The resumption index in the platform: each city's method and data files, and the figures
computed from them. The readings themselves stay in Parquet files (tens of millions of rows);
the database keeps what people look at: one row per day, county and industry."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BaselineKind(models.TextChoices):
    WINDOW = "window", _("Mean over a period (e.g. last year's Q4)")
    LUNAR = "lunar", _("Same lunar-calendar days a year earlier")
    DAY_TYPE = "day_type", _("Workdays and rest days separately")


class IndexSetup(models.Model):
    """How a city computes and ranks its counties' index (复工电力指数)."""

    region = models.OneToOneField(
        "directory.Region", verbose_name=_("city or province"), on_delete=models.PROTECT, related_name="+"
    )
    baseline_kind = models.CharField(_("baseline"), max_length=10, choices=BaselineKind, default=BaselineKind.WINDOW)
    baseline_start = models.DateField(_("baseline from"), null=True, blank=True)
    baseline_end = models.DateField(_("baseline to"), null=True, blank=True)
    threshold = models.DecimalField(
        _("resumed at (share of baseline)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(1)],
    )
    weight = models.DecimalField(
        _("weight of consumption"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    exclude_suspended = models.BooleanField(_("leave out accounts under a suspension"), default=True)
    reopening_days = models.JSONField(
        _("local reopening days counted as workdays"), default=list, blank=True
    )  # ISO dates, for the day-type baseline
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resumption index set-up")
        constraints = [
            models.CheckConstraint(condition=Q(baseline_kind__in=BaselineKind.values), name="setup_baseline_valid"),
            models.CheckConstraint(condition=Q(threshold__gt=0, threshold__lte=1), name="setup_threshold_range"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=1), name="setup_weight_range"),
            models.CheckConstraint(
                condition=Q(baseline_kind="lunar")
                | Q(baseline_start__isnull=False, baseline_end__isnull=False, baseline_end__gte=F("baseline_start")),
                name="setup_baseline_window",
            ),
        ]

    def __str__(self) -> str:
        return str(self.region)

    def clean(self) -> None:
        if self.baseline_kind == BaselineKind.LUNAR:
            return  # the lunar baseline finds its own days
        if self.baseline_start is None or self.baseline_end is None:
            missing = "baseline_start" if self.baseline_start is None else "baseline_end"
            raise ValidationError({missing: _("Give the baseline's first and last day.")})
        if self.baseline_end < self.baseline_start:
            raise ValidationError({"baseline_end": _("The baseline ends before it starts.")})


class FileKind(models.TextChoices):
    ACCOUNTS = "accounts", pgettext_lazy("power", "Accounts")
    READINGS = "readings", _("Daily readings")


class DataFile(models.Model):
    """An imported file, kept as Parquet in the store. Accounts: the current list (a new one
    replaces it). Readings: a batch of days; batches do not overlap."""

    setup = models.ForeignKey(IndexSetup, verbose_name=_("set-up"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind)
    name = models.CharField(_("file"), max_length=200)
    stored = models.CharField(_("stored as"), max_length=300, unique=True)  # path inside RESUMPTION_STORE
    rows = models.PositiveIntegerField(_("rows"))
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("data file")
        ordering = ["setup", "kind", "first_day", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FileKind.values), name="data_file_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="accounts") | Q(first_day__isnull=False, last_day__gte=F("first_day")),
                name="data_file_readings_have_days",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndexFigure(models.Model):
    """The index of a county (industry blank) or of an industry in a county, on a day."""

    setup = models.ForeignKey(IndexSetup, verbose_name=_("set-up"), on_delete=models.CASCADE, related_name="figures")
    day = models.DateField(_("day"))
    county = models.CharField(_("county"), max_length=12)  # division code
    industry = models.CharField(_("industry"), max_length=40, blank=True)
    accounts = models.PositiveIntegerField(_("accounts counted"))
    excluded = models.PositiveIntegerField(_("accounts left out"))
    resumed = models.PositiveIntegerField(_("accounts resumed"))
    account_ratio = models.FloatField(_("resumed accounts (%)"))
    consumption_ratio = models.FloatField(_("resumed consumption (%)"))
    index = models.FloatField(_("resumption index"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    index_year_before = models.FloatField(_("a year earlier"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("index figure")
        ordering = ["day", "rank"]
        indexes = [models.Index(fields=["setup", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["setup", "day", "county", "industry"], name="figure_once_per_group"),
            models.CheckConstraint(condition=Q(resumed__lte=F("accounts")), name="figure_resumed_counted"),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.industry} {self.day}: {self.index:.2f}"
