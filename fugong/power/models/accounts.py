"""Power accounts, and the company's rules for suspensions and its capacity tariff."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.core.validators import validate_credit_code


class AccountKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    RESIDENT = "resident", _("Resident")


class Voltage(models.TextChoices):
    HIGH = "high", _("High voltage")
    LOW = "low", _("Low voltage")


class Billing(models.TextChoices):
    """Two-part tariff (基本电费 on capacity plus energy) or single tariff (energy only)."""

    TWO_PART = "two_part", _("Two-part (capacity charge)")
    SINGLE = "single", _("Single (energy only)")


class Industry(models.TextChoices):
    """The 11 sectors State Grid Zhejiang published the resumption index by."""

    AGRICULTURE = "agriculture", _("Agriculture, forestry and fishing")
    MINING = "mining", _("Mining")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    UTILITIES = "utilities", _("Power, heat, gas and water")
    CONSTRUCTION = "construction", _("Construction")
    TRANSPORT = "transport", _("Transport, storage and post")
    INFORMATION = "information", _("Information and software")
    TRADE = "trade", _("Wholesale and retail")
    HOSPITALITY = "hospitality", _("Accommodation and catering")
    BUSINESS = "business", _("Finance, property and business services")
    PUBLIC = "public", _("Public services and administration")


class PowerAccount(models.Model):
    """A metering point the company bills (户号): an enterprise or a household."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("power company"),
        on_delete=models.PROTECT,
        related_name="power_accounts",
    )
    number = models.CharField(_("account number"), max_length=16)
    holder = models.CharField(_("account holder"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=AccountKind)
    voltage = models.CharField(_("voltage"), max_length=8, choices=Voltage)
    billing = models.CharField(_("billing"), max_length=10, choices=Billing, default=Billing.SINGLE)
    industry = models.CharField(_("industry"), max_length=16, choices=Industry, blank=True)
    capacity_kva = models.PositiveIntegerField(_("contracted capacity (kVA)"))
    region = models.ForeignKey(
        "directory.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="power_accounts"
    )
    supply_station = models.CharField(_("supply station"), max_length=40)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    # E.164; personal data for households: masked in lists, shown in full to the company's staff.
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("power account")
        verbose_name_plural = _("power accounts")
        ordering = ["number"]
        indexes = [models.Index(fields=["organisation", "kind", "region"])]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="power_account_number_unique"),
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9]{6,16}$"), name="power_account_number_digits"),
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="power_account_kind_valid"),
            models.CheckConstraint(condition=Q(voltage__in=Voltage.values), name="power_account_voltage_valid"),
            models.CheckConstraint(condition=Q(billing__in=Billing.values), name="power_account_billing_valid"),
            models.CheckConstraint(condition=Q(capacity_kva__gt=0), name="power_account_capacity_positive"),
            # An enterprise has a sector; a household has none and no capacity charge.
            models.CheckConstraint(
                condition=Q(kind="enterprise", industry__in=Industry.values)
                | Q(kind="resident", industry="", billing="single"),
                name="power_account_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.holder}"


class SuspensionRules(models.Model):
    """How a company handles suspensions and capacity reductions (供电营业规则), and its
    epidemic relaxation: by the day, with automatic extension while the period lasts."""

    organisation = models.OneToOneField(
        "directory.Organisation", verbose_name=_("power company"), on_delete=models.CASCADE, related_name="+"
    )
    min_days = models.PositiveSmallIntegerField(_("shortest suspension (days)"), default=15)
    max_days_per_year = models.PositiveSmallIntegerField(_("longest suspension per calendar year (days)"), default=180)
    epidemic_from = models.DateField(_("epidemic relaxation from"), null=True, blank=True)
    epidemic_until = models.DateField(
        _("epidemic relaxation until"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    extension_days = models.PositiveSmallIntegerField(
        _("automatic extension (days)"),
        default=15,
        help_text=_("During the relaxation, a suspension whose last day is tomorrow is extended by this many days."),
    )

    class Meta:
        verbose_name = _("suspension rules")
        verbose_name_plural = _("suspension rules")
        constraints = [
            models.CheckConstraint(condition=Q(min_days__gte=1, min_days__lte=365), name="rules_min_days_range"),
            models.CheckConstraint(
                condition=Q(max_days_per_year__gte=1, max_days_per_year__lte=366), name="rules_max_days_range"
            ),
            models.CheckConstraint(
                condition=Q(extension_days__gte=1, extension_days__lte=90), name="rules_extension_range"
            ),
            models.CheckConstraint(
                condition=Q(epidemic_from__isnull=False) | Q(epidemic_until__isnull=True),
                name="rules_epidemic_has_start",
            ),
            models.CheckConstraint(
                condition=Q(epidemic_until__isnull=True) | Q(epidemic_until__gte=models.F("epidemic_from")),
                name="rules_epidemic_in_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class CapacityTariff(models.Model):
    """The capacity charge (基本电费) per kVA and month, from a day on."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("power company"), on_delete=models.CASCADE, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    price = models.DecimalField(_("yuan per kVA and month"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("capacity tariff")
        ordering = ["organisation", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "effective_from"], name="tariff_once_per_day"),
            models.CheckConstraint(condition=Q(price__gt=0), name="tariff_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.price} @ {self.effective_from}"
