"""The priority line (亲情2号键): registered vulnerable residents, their calls, home visits and
the revisits that follow, which can be done but never dropped."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResidentKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly, living alone")
    LEFT_BEHIND = "left_behind", _("Elderly, left behind in a village")
    DISABLED = "disabled", _("Disabled")
    OTHER = "other", _("Other need")


class Resident(models.Model):
    """A person registered for the priority line. Name, phone and address are personal data:
    masked in lists, and erased a while after the registration ends (the calls and revisits
    stay, anonymous)."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("power company"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=ResidentKind)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164, mobile or landline
    address = models.CharField(_("address"), max_length=200)
    region = models.ForeignKey("directory.Region", verbose_name=_("village or town"), on_delete=models.PROTECT)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=20, blank=True)
    account = models.ForeignKey(
        "power.PowerAccount",
        verbose_name=_("power account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"))
    ended_on = models.DateField(_("registration ended on"), null=True, blank=True)
    erased = models.BooleanField(_("personal data erased"), default=False)

    class Meta:
        verbose_name = _("registered resident")
        ordering = ["region__code", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ResidentKind.values), name="resident_kind_valid"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("registered_on")), name="resident_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(erased=False) | Q(ended_on__isnull=False), name="resident_erased_ended"),
        ]

    def __str__(self) -> str:
        return self.name


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent: no power or unsafe")
    NORMAL = "normal", _("Normal")


class CallKind(models.TextChoices):
    """What the call is about; no power and a hazard are urgent unless said otherwise, and can
    become a repair order for the supply station's field crew."""

    POWER_CUT = "power_cut", _("No power at home")
    HAZARD = "hazard", _("Unsafe: sparks, burning smell, bare wire")
    BILL = "bill", _("Bill or payment")
    APPLIANCE = "appliance", _("New appliance or connection")
    OTHER = "other", _("Something else")


URGENT_KINDS = frozenset({CallKind.POWER_CUT, CallKind.HAZARD})
REPAIR_KINDS = URGENT_KINDS


def default_urgency(kind: str) -> str:
    return Urgency.URGENT if kind in URGENT_KINDS else Urgency.NORMAL


class CallStatus(models.TextChoices):
    OPEN = "open", _("Waiting for someone")
    ASSIGNED = "assigned", _("Assigned")
    VISITED = "visited", _("Visited")


class PriorityCall(models.Model):
    """A call on the priority line: a ticket that jumps the queue and brings someone home."""

    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="calls")
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    need = models.CharField(_("what is needed"), max_length=300)
    kind = models.CharField(_("kind of call"), max_length=12, choices=CallKind, default=CallKind.OTHER)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=CallStatus, default=CallStatus.OPEN)
    # Who goes: a staff member, or a member of a volunteer team (women's federation).
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_member = models.ForeignKey(
        "volunteers.Member",
        verbose_name=_("volunteer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # Whether the SMS went out at the assignment (no channel, or a landline: the page says so).
    helper_told = models.BooleanField(_("SMS to the helper"), default=False)
    resident_told = models.BooleanField(_("SMS to the resident"), default=False)

    class Meta:
        verbose_name = _("priority call")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="priority_call_urgency_valid"),
            models.CheckConstraint(condition=Q(kind__in=CallKind.values), name="priority_call_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=CallStatus.values), name="priority_call_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(assigned_at__isnull=False), name="priority_call_assigned_has_time"
            ),
            models.CheckConstraint(
                condition=Q(assigned_user__isnull=True) | Q(assigned_member__isnull=True),
                name="priority_call_one_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {timezone.localtime(self.received_at):%Y-%m-%d %H:%M}"

    @property
    def assignee(self) -> Any:
        return self.assigned_user or self.assigned_member


class HomeVisit(models.Model):
    call = models.ForeignKey(PriorityCall, verbose_name=_("call"), on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    visitor = models.CharField(_("who went"), max_length=60)
    findings = models.TextField(_("what was found and done"))
    resolved = models.BooleanField(_("problem solved"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("home visit")
        ordering = ["-visited_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.call.resident} {timezone.localtime(self.visited_at):%Y-%m-%d}"


class UndeletableQuerySet(models.QuerySet["Revisit"]):
    def delete(self) -> NoReturn:
        raise models.ProtectedError(str(_("A revisit cannot be deleted, only done.")), set())


class Revisit(models.Model):
    """Coming back to check (回访), due a fortnight after a visit by default. It cannot be
    deleted, only done: it is the promise made to someone who lives alone."""

    call = models.ForeignKey(PriorityCall, verbose_name=_("call"), on_delete=models.PROTECT, related_name="revisits")
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="revisits"
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("scheduled at"))
    done_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revisited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), blank=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisit")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_at", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, outcome="") | Q(done_at__isnull=False) & ~Q(outcome=""),
                name="revisit_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.due_on}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise models.ProtectedError(str(_("A revisit cannot be deleted, only done.")), {self})
