"""Shops, their orders, the bureau's own vehicles and drivers, and the day's delivery plans:
which vehicle carries what to whom, when, and what the shop confirmed on the doorstep."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.volunteers.models import LicenceClass, VehicleKind

LICENCE_NUMBER_RE = r"^[0-9A-Za-z]{6,20}$"


class Shop(models.Model):
    """A licensed retail customer (卷烟零售户) of a tobacco bureau, served from a network point."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="shops"
    )
    licence_number = models.CharField(_("licence number"), max_length=20)
    name = models.CharField(_("shop name"), max_length=100)
    owner = models.CharField(pgettext_lazy("shop", "owner"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=20)  # E.164; masked in lists
    address = models.CharField(_("address"), max_length=200)
    region = models.ForeignKey(
        "directory.Region", verbose_name=_("town or village"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    network_point = models.ForeignKey(
        "directory.Site", verbose_name=_("network point"), on_delete=models.PROTECT, related_name="shops"
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opens_at = models.TimeField(_("receives goods from"), default="08:00")
    closes_at = models.TimeField(_("receives goods until"), default="21:00")
    service_minutes = models.PositiveSmallIntegerField(_("minutes at the door"), default=5)
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["network_point", "licence_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "licence_number"], name="shop_licence_unique_in_bureau"),
            models.CheckConstraint(condition=Q(licence_number__regex=LICENCE_NUMBER_RE), name="shop_licence_format"),
            models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")), name="shop_window_opens_before_close"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="shop_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    HELD = "held", _("Held (area closed)")
    PLANNED = "planned", _("Planned")
    OUT = "out", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    SHORT = "short", _("Delivered short")
    REFUSED = "refused", _("Refused")


OPEN_ORDER_STATUSES = (OrderStatus.PLACED, OrderStatus.HELD)  # the backlog
FINISHED_ORDER_STATUSES = (OrderStatus.DELIVERED, OrderStatus.SHORT, OrderStatus.REFUSED)


class Order(models.Model):
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("order number"), max_length=30)
    placed_on = models.DateField(_("placed on"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus, default=OrderStatus.PLACED)
    held_since = models.DateTimeField(_("held since"), null=True, blank=True)
    cartons = models.PositiveIntegerField(_("cartons"))  # the lines' sum, kept by the service
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["placed_on", "number"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="order_number_unique_in_bureau"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(cartons__gt=0), name="order_has_cartons"),
            models.CheckConstraint(
                condition=Q(status="held", held_since__isnull=False) | (~Q(status="held") & Q(held_since__isnull=True)),
                name="order_held_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    brand = models.CharField(_("brand"), max_length=60)
    quantity = models.PositiveIntegerField(_("cartons"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("order line")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "brand"], name="order_line_brand_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_has_quantity"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} × {self.quantity}"


class Vehicle(models.Model):
    """One of the bureau's own vehicles."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("vehicle"), max_length=12, choices=VehicleKind)
    plate = models.CharField(_("plate"), max_length=12)
    capacity_cartons = models.PositiveIntegerField(_("capacity (cartons)"))
    home = models.ForeignKey("directory.Site", verbose_name=_("based at"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vehicle")
        ordering = ["home", "plate"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "plate"], name="vehicle_plate_unique_in_bureau"),
            models.CheckConstraint(condition=Q(capacity_cartons__gt=0), name="vehicle_has_capacity"),
            models.CheckConstraint(condition=Q(kind__in=VehicleKind.values), name="vehicle_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.plate}"


class Driver(models.Model):
    """A member of the bureau's staff who drives, with what their licence allows."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    licence = models.CharField(_("driving licence"), max_length=4, choices=LicenceClass, blank=True)
    e_tricycle_licence = models.BooleanField(_("may ride an e-tricycle"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("driver")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "mobile"], name="driver_mobile_unique_in_bureau"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNING = "planning", _("Planning")
    READY = "ready", _("Ready to publish")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", pgettext_lazy("delivery plan", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


SENT_OUT_PLAN_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.CLOSED)  # routes handed to drivers
# Plans that hold their network points' orders: a network point is in one of them a day at most.
LIVE_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.PLANNING, PlanStatus.READY, PlanStatus.PUBLISHED)


class Echelon(models.TextChoices):
    TRUNK = "trunk", _("Trunk (to network points)")
    LAST_MILE = "last_mile", _("Last mile (to shops)")


MAX_SEARCH_SECONDS = 120  # per network point; the whole run holds one transaction


class DeliveryPlan(models.Model):
    """A day's deliveries for one bureau: trunk runs from the transfer station to the network
    points before a deadline, then last-mile routes from each network point to its shops."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    depot = models.ForeignKey(
        "directory.Site",
        verbose_name=_("transfer station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trunk_starts_at = models.TimeField(_("trunk runs start"), default="05:00")
    trunk_deadline = models.TimeField(_("goods at the network points by"), default="07:00")
    # The objective's settings: every vehicle back by the latest return, nobody working longer
    # than the longest day, and with own vehicles first a lent one is called out only when the
    # bureau's cannot do it by then or it brings the last return forward (routing.balance).
    last_mile_ends_at = models.TimeField(_("latest return"), default="17:00")
    longest_day_hours = models.DecimalField(
        _("longest working day (hours)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal(8),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(16))],
    )
    own_vehicles_first = models.BooleanField(
        _("the bureau's own vehicles first"),
        default=True,
        help_text=_("Lent vehicles only when needed or when they bring the last return forward by half an hour."),
    )
    network_points = models.ManyToManyField("directory.Site", verbose_name=_("network points"), related_name="+")
    orders = models.ManyToManyField(Order, verbose_name=_("orders"), related_name="plans")
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus, default=PlanStatus.DRAFT)
    job = models.ForeignKey(
        "core.Job", verbose_name=_("planning job"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    findings = models.JSONField(_("findings"), default=list, blank=True)  # routing Finding codes and values
    search_seconds = models.PositiveSmallIntegerField(
        _("search time (seconds)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(MAX_SEARCH_SECONDS)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery plan")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(
                condition=Q(trunk_starts_at__lt=F("trunk_deadline")), name="plan_trunk_starts_before_deadline"
            ),
            models.CheckConstraint(
                condition=Q(trunk_deadline__lt=F("last_mile_ends_at")), name="plan_deadline_before_day_ends"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "closed"]) | Q(published_at__isnull=False),
                name="plan_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(search_seconds__gte=1, search_seconds__lte=MAX_SEARCH_SECONDS),
                name="plan_search_seconds_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longest_day_hours__gte=1, longest_day_hours__lte=16), name="plan_longest_day_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        return self.status in {PlanStatus.DRAFT, PlanStatus.READY}


UNLIMITED_RELOADS = -1


class PlanVehicle(models.Model):
    """A vehicle in a plan's fleet with its driver: one of the bureau's, or one lent by a
    volunteer (its offer) driven by a licensed member."""

    plan = models.ForeignKey(DeliveryPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="fleet")
    echelon = models.CharField(_("echelon"), max_length=10, choices=Echelon)
    hub = models.ForeignKey(
        "directory.Site",
        verbose_name=_("starts, reloads and ends at"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("vehicle"), max_length=12, choices=VehicleKind)
    capacity_cartons = models.PositiveIntegerField(_("capacity (cartons)"))
    label = models.CharField(_("vehicle"), max_length=60)
    available_from = models.TimeField(_("available from"))
    available_until = models.TimeField(_("available until"))
    max_reloads = models.SmallIntegerField(_("reloads allowed"), default=UNLIMITED_RELOADS)
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offer = models.ForeignKey(
        "volunteers.Offer",
        verbose_name=_("lent vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    driver = models.ForeignKey(
        Driver, verbose_name=_("driver"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "volunteers.Member",
        verbose_name=_("volunteer driver"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    driver_name = models.CharField(_("driver"), max_length=40)
    driver_mobile = models.CharField(_("driver's mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("vehicle in a plan")
        ordering = ["plan", "echelon", "hub", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_cartons__gt=0), name="plan_vehicle_has_capacity"),
            models.CheckConstraint(
                condition=Q(available_from__lt=F("available_until")), name="plan_vehicle_window_ordered"
            ),
            models.CheckConstraint(condition=Q(max_reloads__gte=UNLIMITED_RELOADS), name="plan_vehicle_reloads_valid"),
            models.CheckConstraint(
                condition=~(Q(vehicle__isnull=False) & Q(offer__isnull=False)), name="plan_vehicle_one_source"
            ),
            models.CheckConstraint(
                condition=~(Q(driver__isnull=False) & Q(member__isnull=False)), name="plan_vehicle_one_driver"
            ),
            models.UniqueConstraint(
                fields=["plan", "vehicle"], condition=Q(vehicle__isnull=False), name="plan_vehicle_once"
            ),
            models.UniqueConstraint(fields=["plan", "offer"], condition=Q(offer__isnull=False), name="plan_offer_once"),
            models.UniqueConstraint(
                fields=["plan", "driver"], condition=Q(driver__isnull=False), name="plan_driver_once"
            ),
            models.UniqueConstraint(
                fields=["plan", "member"], condition=Q(member__isnull=False), name="plan_member_drives_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.driver_name}"


class Route(models.Model):
    """What one vehicle does in a plan. Times are seconds after midnight of the plan's day."""

    plan = models.ForeignKey(DeliveryPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="routes")
    vehicle = models.OneToOneField(
        PlanVehicle, verbose_name=_("vehicle"), on_delete=models.CASCADE, related_name="route"
    )
    echelon = models.CharField(_("echelon"), max_length=10, choices=Echelon)
    number = models.PositiveSmallIntegerField(_("route number"))
    starts_at = models.PositiveIntegerField(_("leaves at"))
    ends_at = models.PositiveIntegerField(_("back at"))
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    locked = models.BooleanField(_("locked"), default=False)
    # Part of the driver's route link: raising it makes a forwarded link stop working.
    link_version = models.PositiveSmallIntegerField(_("link version"), default=1, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)  # overload, overtime, ... (routing findings)

    class Meta:
        verbose_name = _("route")
        ordering = ["plan", "echelon", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="route_number_unique_in_plan"),
            models.CheckConstraint(condition=Q(starts_at__lte=F("ends_at")), name="route_starts_before_end"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class StopOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    SHORT = "short", _("Delivered short")
    REFUSED = "refused", _("Refused")


class RouteStop(models.Model):
    """A visit on a route: a delivery to a shop (its orders in the plan) or to a network point
    (trunk), or a reload at the hub. Arrival times are the plan's; arrived_at and outcome are the driver's."""

    route = models.ForeignKey(Route, verbose_name=_("route"), on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveSmallIntegerField(_("position"))
    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.PROTECT, null=True, blank=True, related_name="stops"
    )
    orders = models.ManyToManyField(Order, verbose_name=_("orders"), blank=True, related_name="stops")
    site = models.ForeignKey(
        "directory.Site", verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_reload = models.BooleanField(_("reload"), default=False)
    cartons = models.PositiveIntegerField(_("cartons"), default=0)
    trip = models.PositiveSmallIntegerField(_("trip"), default=0)
    load_on_arrival = models.PositiveIntegerField(_("on board on arrival"), default=0)
    arrives_at = models.PositiveIntegerField(_("arrives at"))
    departs_at = models.PositiveIntegerField(_("leaves at"))
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=StopOutcome, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    photo = models.ImageField(_("hand-over photo"), upload_to="handover/%Y/%m/%d/", blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.CharField(_("completed by"), max_length=40, blank=True)
    near_notice_sent = models.BooleanField(_("told the shop it is near"), default=False, editable=False)

    class Meta:
        verbose_name = _("stop")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="stop_position_unique_in_route"),
            models.CheckConstraint(
                condition=Q(is_reload=True, shop__isnull=True, cartons=0)
                | Q(is_reload=False, cartons__gt=0) & (Q(shop__isnull=False) | Q(site__isnull=False)),
                name="stop_is_a_delivery_or_a_reload",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", completed_at__isnull=True) | (~Q(outcome="") & Q(completed_at__isnull=False)),
                name="stop_outcome_has_time",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=StopOutcome.values), name="stop_outcome_valid"
            ),
            models.CheckConstraint(condition=Q(arrives_at__lte=F("departs_at")), name="stop_arrives_before_leaving"),
        ]

    def __str__(self) -> str:
        return f"{self.route} · {self.position}"

    @property
    def is_part_of_an_order(self) -> bool:
        """An order bigger than any vehicle goes in parts: this stop carries fewer cartons than
        its orders' lines add up to (uses the prefetched orders and lines)."""
        ordered = sum(line.quantity for order in self.orders.all() for line in order.lines.all())
        return not self.is_reload and self.shop_id is not None and self.cartons < ordered


class HandedOver(models.Model):
    """What the shop confirmed on the doorstep, per order line."""

    stop = models.ForeignKey(RouteStop, verbose_name=_("stop"), on_delete=models.CASCADE, related_name="handed_over")
    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="handed_over"
    )
    quantity = models.PositiveIntegerField(_("cartons received"))

    class Meta:
        verbose_name = _("cartons handed over")
        constraints = [models.UniqueConstraint(fields=["stop", "line"], name="handed_over_once_per_line")]

    def __str__(self) -> str:
        return f"{self.line} → {self.quantity}"


class PlanDocument(models.Model):
    """A plan's printed paper kept as made (route sheets, loading lists), so printing again
    takes no layout. It is served only while `digest`, the SHA-256 of the HTML it was made
    from, equals the HTML the plan gives now: a hand edit, a held stop, a shop's new address or
    another language each make different HTML, and the paper is made again."""

    plan = models.ForeignKey(DeliveryPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12)  # "sheets", "loading": as in the print URL
    digest = models.CharField(_("key"), max_length=64)  # SHA-256 of the HTML, in hex
    content = models.BinaryField(_("file"))  # the PDF
    made_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("printed document")
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="one_kept_document_per_plan_and_kind")]

    def __str__(self) -> str:
        return f"{self.plan} {self.kind}"
