"""The service hall: its windows and the queue tickets people take after admission."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BusinessKind(models.TextChoices):
    """What a visitor comes for; the letter starts the ticket number (A012)."""

    PAY_BILL = "pay_bill", _("Pay a bill")
    INVOICE = "invoice", _("Invoice")
    INSTALLATION = "installation", _("New meter / installation")
    CONSULTATION = "consultation", _("Consultation")
    SUSPENSION = "suspension", _("Suspension / restoration")


LETTERS = {
    BusinessKind.PAY_BILL: "A",
    BusinessKind.INVOICE: "B",
    BusinessKind.INSTALLATION: "C",
    BusinessKind.CONSULTATION: "D",
    BusinessKind.SUSPENSION: "E",
}


class Window(models.Model):
    """A counter of the hall (窗口), with the kinds of business it takes."""

    site = models.ForeignKey(
        "directory.Site", verbose_name=_("service hall"), on_delete=models.CASCADE, related_name="windows"
    )
    number = models.PositiveSmallIntegerField(_("window number"))
    kinds = models.JSONField(_("business taken"), default=list)
    is_open = models.BooleanField(_("window open"), default=True)
    audit_choices: ClassVar[dict[str, type[models.Choices]]] = {"kinds": BusinessKind}  # codes in a list
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff at the window"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("window")
        ordering = ["site", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="window_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=99), name="window_number_range"),
        ]

    def __str__(self) -> str:
        return str(_("Window %(n)d") % {"n": self.number})


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


class Ticket(models.Model):
    """A queue number (A012) of one hall and day. Waiting time runs from taking it to the
    call, service time from the call to served."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "directory.Site", verbose_name=_("service hall"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("business"), max_length=16, choices=BusinessKind)
    number = models.PositiveSmallIntegerField(_("number"))
    priority = models.BooleanField(_("priority (elderly, disabled, pregnant)"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus, default=TicketStatus.WAITING)
    taken_at = models.DateTimeField(_("number taken at"))
    # The admission that let the person in; the link goes when the check-in is purged.
    checkin = models.ForeignKey(
        "screening.CheckIn",
        verbose_name=_("check-in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    nonce = models.CharField(_("nonce"), max_length=64, blank=True)  # a resent "take a number" gets the same ticket
    window = models.ForeignKey(
        Window, verbose_name=_("window"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(_("times called"), default=0)
    announced_at = models.DateTimeField(_("last called at"), null=True, blank=True)  # the hall screen's order
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    account = models.ForeignKey(
        "power.PowerAccount",
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("queue ticket")
        ordering = ["day", "taken_at", "pk"]
        indexes = [models.Index(fields=["site", "day", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "kind", "number"], name="ticket_number_once"),
            models.UniqueConstraint(fields=["site", "nonce"], condition=~Q(nonce=""), name="ticket_nonce_once"),
            models.UniqueConstraint(
                fields=["checkin"],
                condition=Q(checkin__isnull=False, status__in=["waiting", "called"]),
                name="ticket_one_open_per_checkin",
            ),
            # A window calls one person at a time.
            models.UniqueConstraint(
                fields=["window"], condition=Q(status="called"), name="ticket_one_called_per_window"
            ),
            models.CheckConstraint(condition=Q(kind__in=BusinessKind.values), name="ticket_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "cancelled"], window__isnull=True, called_at__isnull=True)
                | Q(status__in=["called", "served", "no_show"], window__isnull=False, called_at__isnull=False),
                name="ticket_called_has_window",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "called"], finished_at__isnull=True)
                | Q(status__in=["served", "no_show", "cancelled"], finished_at__isnull=False),
                name="ticket_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{LETTERS[BusinessKind(self.kind)]}{self.number:03d}"


class HallScreen(models.Model):
    """The hall TV's link (signed, opened without signing in). Renewing it raises the version,
    and links of earlier versions stop opening: a link shared too widely can be taken back."""

    site = models.OneToOneField(
        "directory.Site", verbose_name=_("service hall"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField(_("link version"), default=1)
    renewed_at = models.DateTimeField(_("renewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hall screen link")
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="hall_screen_version_positive")]

    def __str__(self) -> str:
        return f"{self.site} v{self.version}"
