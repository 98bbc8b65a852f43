"""Suspensions and capacity reductions by the day, their restoration, and the field work."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApplicationKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension")
    REDUCTION = "reduction", _("Capacity reduction")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    IN_EFFECT = "in_effect", _("In effect")
    RESTORATION_REQUESTED = "restoration_requested", _("Restoration requested")
    RESTORED = "restored", _("Restored")
    REJECTED = "rejected", _("Rejected")


# Statuses in which the capacity is (or will be) out of service.
HOLDING = (ApplicationStatus.APPROVED, ApplicationStatus.IN_EFFECT, ApplicationStatus.RESTORATION_REQUESTED)
OPEN = (ApplicationStatus.APPLIED, *HOLDING)


class RequestChannel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", pgettext_lazy("request channel", "By phone")
    ONLINE = "online", _("Online")
    AUTOMATIC = "automatic", _("Automatic")


class CapacityApplication(models.Model):
    """Capacity taken out of service from a day, to a day or until restoration is asked for.

    The capacity comes back on `restore_on`: the day after the end, or the day the enterprise
    asked for (one phone call). Days before it are not charged.
    """

    account = models.ForeignKey(
        "power.PowerAccount", verbose_name=_("account"), on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ApplicationKind)
    capacity_kva = models.PositiveIntegerField(_("capacity taken out (kVA)"))
    start_on = models.DateField(_("first day out"))
    end_on = models.DateField(
        _("last day out"), null=True, blank=True, help_text=_("Empty: until restoration is requested.")
    )
    status = models.CharField(_("status"), max_length=24, choices=ApplicationStatus, default=ApplicationStatus.APPLIED)
    channel = models.CharField(_("requested"), max_length=12, choices=RequestChannel, default=RequestChannel.COUNTER)
    by_the_day = models.BooleanField(_("by the day (epidemic relaxation)"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    extensions = models.PositiveSmallIntegerField(_("automatic extensions"), default=0)
    restore_on = models.DateField(_("capacity back on"), null=True, blank=True)
    restoration_requested_at = models.DateTimeField(_("restoration requested at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("suspension or capacity reduction")
        verbose_name_plural = _("suspensions and capacity reductions")
        ordering = ["-applied_at", "-pk"]
        indexes = [models.Index(fields=["status", "end_on"]), models.Index(fields=["account", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ApplicationKind.values), name="application_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=RequestChannel.values), name="application_channel_valid"),
            models.CheckConstraint(condition=Q(capacity_kva__gt=0), name="application_capacity_positive"),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")), name="application_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | (~Q(rejection_reason="") & Q(decided_at__isnull=False)),
                name="application_rejection_has_reason",
            ),
            # Restoration needs its day; a restored application also its moment.
            models.CheckConstraint(
                condition=~Q(status__in=["restoration_requested", "restored"])
                | Q(restore_on__isnull=False, restore_on__gt=F("start_on")),
                name="application_restoration_has_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="restored") | Q(restored_at__isnull=False), name="application_restored_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account.number} {self.start_on}"

    @property
    def last_day_out(self) -> date | None:
        """The last day the capacity is out of service, or None while open-ended."""
        if self.restore_on is not None:
            return self.restore_on - timedelta(days=1)
        return self.end_on


class Step(models.TextChoices):
    APPLIED = "applied", _("Application taken")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    STARTED = "started", _("Capacity out of service")
    EXTENDED = "extended", _("Extended automatically")
    ENDED = "ended", _("Period ended, capacity charged again")
    RESTORATION_REQUESTED = "restoration_requested", _("Restoration requested")
    DISPATCHED = "dispatched", _("Field worker sent")
    RESTORED = "restored", _("Supply restored")


class ApplicationEvent(models.Model):
    """A step of an application, as the enterprise and the staff see it: what happened, who
    did it, and whether the enterprise was told by SMS."""

    application = models.ForeignKey(
        CapacityApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"))
    step = models.CharField(_("step"), max_length=24, choices=Step)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # How a request came in, kept as a code so each reader sees it in their own language.
    channel = models.CharField(_("requested"), max_length=12, choices=RequestChannel, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sms_sent = models.BooleanField(_("SMS queued"), default=False)

    class Meta:
        verbose_name = _("application step")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(step__in=Step.values), name="application_event_step_valid"),
            models.CheckConstraint(
                condition=Q(channel="") | Q(channel__in=RequestChannel.values), name="application_event_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.get_step_display()}"


class FieldOrder(models.Model):
    """Work for the supply station's field crew: putting an enterprise's capacity back into
    service (a restoration), or a priority resident's supply (a repair, from an urgent call)."""

    application = models.OneToOneField(
        CapacityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="field_order",
    )
    call = models.OneToOneField(
        "power.PriorityCall",
        verbose_name=_("priority call"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_order",
    )
    station = models.CharField(_("supply station"), max_length=40)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("field worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("work done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("work done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("field order")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_at__gte=F("created_at")), name="field_order_done_after"
            ),
            # A restoration or a repair, never both or neither.
            models.CheckConstraint(
                condition=Q(application__isnull=False, call__isnull=True)
                | Q(application__isnull=True, call__isnull=False),
                name="field_order_for_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.due_on}"
