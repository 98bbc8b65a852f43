"""Admission to work sites: policies (versioned), venues with their QR code, check-ins, and the
staff temperature and disinfection logs.

Nothing here is tied to 2022's codes: a policy is a list of checks, each with its parameter and
what failing it (or an unclear answer) means; a new rule is a new policy version.
"""

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CheckKind(models.TextChoices):
    HEALTH_CODE = "health_code", _("Health code")
    RISK_AREA = "risk_area", _("Stay in a risk area")
    TEST_RESULT = "test_result", _("Test result")
    TEMPERATURE = "temperature", _("Temperature")
    MASK = "mask", _("Mask")
    VACCINATION = "vaccination", _("Vaccination")


class Decision(models.TextChoices):
    ADMIT = "admit", pgettext_lazy("admission", "Admitted")
    REFER = "refer", pgettext_lazy("admission", "Referred to staff")
    REFUSE = "refuse", pgettext_lazy("admission", "Refused")


# Worst wins: one refusing check refuses, whatever the others say.
DECISION_SEVERITY = {Decision.ADMIT: 0, Decision.REFER: 1, Decision.REFUSE: 2}

# The parameter each kind of check needs (and no other kind has).
CHECK_PARAMETER = {
    CheckKind.RISK_AREA: "within_days",
    CheckKind.TEST_RESULT: "within_hours",
    CheckKind.TEMPERATURE: "max_temperature",
    CheckKind.VACCINATION: "min_doses",
}


class AdmissionPolicy(models.Model):
    """One version of the rules at a site or in a region, in force from `effective_from` until
    the next version. A site's own policy wins over its region's; the nearest region wins."""

    audit_choices: ClassVar[dict[str, type[models.Choices]]] = {"checks": CheckKind}  # the kinds, in a list

    site = models.ForeignKey(
        "directory.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_policies",
    )
    region = models.ForeignKey(
        "directory.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_policies",
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    effective_from = models.DateTimeField(_("in force from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("admission policy")
        verbose_name_plural = _("admission policies")
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(site__isnull=False, region__isnull=True) | Q(site__isnull=True, region__isnull=False),
                name="policy_applies_to_site_or_region",
            ),
            models.UniqueConstraint(
                fields=["site", "effective_from"], condition=Q(site__isnull=False), name="policy_version_unique_at_site"
            ),
            models.UniqueConstraint(
                fields=["region", "effective_from"],
                condition=Q(region__isnull=False),
                name="policy_version_unique_in_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site or self.region}, {timezone.localtime(self.effective_from):%Y-%m-%d %H:%M})"

    @property
    def applies_to(self) -> object:
        return self.site or self.region


class PolicyCheck(models.Model):
    policy = models.ForeignKey(
        AdmissionPolicy, verbose_name=_("admission policy"), on_delete=models.CASCADE, related_name="checks"
    )
    kind = models.CharField(_("check"), max_length=16, choices=CheckKind)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    within_days = models.PositiveSmallIntegerField(_("within days"), null=True, blank=True)
    within_hours = models.PositiveSmallIntegerField(_("within hours"), null=True, blank=True)
    max_temperature = models.DecimalField(
        _("temperature must be below (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    min_doses = models.PositiveSmallIntegerField(_("doses at least"), null=True, blank=True)
    on_fail = models.CharField(_("when it fails"), max_length=8, choices=Decision, default=Decision.REFUSE)
    on_doubt = models.CharField(
        _("when unclear"),
        max_length=8,
        choices=Decision,
        default=Decision.REFER,
        help_text=_("A yellow code, no recent test, a temperature not taken."),
    )

    class Meta:
        verbose_name = _("admission check")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="policy_check_once_per_policy"),
            models.CheckConstraint(condition=Q(kind__in=CheckKind.values), name="policy_check_kind_valid"),
            models.CheckConstraint(condition=Q(on_fail__in=["refer", "refuse"]), name="policy_check_fail_not_admit"),
            models.CheckConstraint(condition=Q(on_doubt__in=Decision.values), name="policy_check_doubt_valid"),
            # Each kind carries exactly its own parameter, within sensible bounds ("isnull=False"
            # because a CHECK that evaluates to NULL passes).
            models.CheckConstraint(
                condition=(
                    Q(kind="risk_area", within_days__isnull=False, within_days__gte=1, within_days__lte=60)
                    | (~Q(kind="risk_area") & Q(within_days__isnull=True))
                ),
                name="policy_check_days_for_risk_area",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="test_result", within_hours__isnull=False, within_hours__gte=1, within_hours__lte=336)
                    | (~Q(kind="test_result") & Q(within_hours__isnull=True))
                ),
                name="policy_check_hours_for_test",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="temperature",
                        max_temperature__isnull=False,
                        max_temperature__gte=36,
                        max_temperature__lte=39,
                    )
                    | (~Q(kind="temperature") & Q(max_temperature__isnull=True))
                ),
                name="policy_check_threshold_for_temperature",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="vaccination", min_doses__isnull=False, min_doses__gte=1, min_doses__lte=5)
                    | (~Q(kind="vaccination") & Q(min_doses__isnull=True))
                ),
                name="policy_check_doses_for_vaccination",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def parameter(self) -> Any:
        name = CHECK_PARAMETER.get(CheckKind(self.kind))
        return getattr(self, name) if name else None


MAX_CHECKINS_PER_MINUTE = 6000  # 100 a second: more than any gate's turnstiles let through


def default_checkins_per_minute() -> int:
    """A new venue's limit: the deployment's PUBLIC_CHECKINS_PER_VENUE_PER_MINUTE (within range)."""
    return min(settings.PUBLIC_CHECKINS_PER_VENUE_PER_MINUTE, MAX_CHECKINS_PER_MINUTE)


class Venue(models.Model):
    """A site that screens who comes in: its venue code (场所码) and its hygiene schedule.

    The code's link is signed with `code_version`; rotating the code (a poster photographed and
    shared where it should not be) bumps the version and old posters stop working.
    """

    site = models.OneToOneField(
        "directory.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="venue"
    )
    code_version = models.PositiveIntegerField(_("code version"), default=1)
    staff_check_times = models.JSONField(
        _("staff temperature times"), default=list, help_text=_("Times of day, e.g. 08:00, 14:00")
    )
    disinfection_times = models.JSONField(
        _("disinfection times"), default=list, help_text=_("Times of day, e.g. 08:00, 14:00")
    )
    grace_minutes = models.PositiveSmallIntegerField(_("overdue after (minutes)"), default=60)
    is_active = models.BooleanField(_("screening in use"), default=True)
    # Phones checking in here per minute: a service hall's queue needs few, a factory gate at
    # shift change thousands; a made-up flood beyond it would take the hall's numbers.
    checkins_per_minute = models.PositiveIntegerField(
        _("phone check-ins per minute"),
        default=default_checkins_per_minute,
        help_text=_("At most this many visitors check in with their phones here in one minute."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screened site")
        verbose_name_plural = _("screened sites")
        ordering = ["site__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grace_minutes__gte=5, grace_minutes__lte=240), name="venue_grace_in_range"
            ),
            models.CheckConstraint(
                condition=Q(checkins_per_minute__gte=1, checkins_per_minute__lte=MAX_CHECKINS_PER_MINUTE),
                name="venue_checkins_per_minute_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.site)


class Channel(models.TextChoices):
    PHONE = "phone", _("Visitor's phone")
    CONSOLE = "console", _("Staff at the door")
    SCANNER = "scanner", _("Scanner")


class CheckIn(models.Model):
    """One person's admission check at a venue. Personal and health data: deleted after the
    retention period; the daily counts (`DailyCount`) stay."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    venue = models.ForeignKey(Venue, verbose_name=_("site"), on_delete=models.PROTECT, related_name="checkins")
    policy = models.ForeignKey(
        AdmissionPolicy, verbose_name=_("admission policy"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    # A scanner's or a phone form's own id for this check-in: resending it records nothing new.
    nonce = models.CharField(_("nonce"), max_length=64, blank=True)
    channel = models.CharField(_("how"), max_length=8, choices=Channel)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)  # E.164
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    companion_name = models.CharField(_("registered by"), max_length=40, blank=True)
    companion_mobile = models.CharField(_("mobile of the person registering"), max_length=20, blank=True)
    results = models.JSONField(_("results"), default=list)  # [{"kind", "answer", "verdict", "outcome"}]
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1, null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision)
    # What happened in the end: the decision, or what staff decided for a referral.
    final_decision = models.CharField(_("final decision"), max_length=8, choices=Decision)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["venue", "at"]),
            models.Index(fields=["at"]),
            models.Index(fields=["mobile", "at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(mobile="") | ~Q(id_number=""), name="checkin_identifies_person"),
            models.UniqueConstraint(fields=["venue", "nonce"], condition=~Q(nonce=""), name="checkin_nonce_once"),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="checkin_decision_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="checkin_channel_valid"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, final_decision=F("decision"))
                | Q(resolved_at__isnull=False, decision="refer", final_decision__in=["admit", "refuse"]),
                name="checkin_final_follows_decision",
            ),
            models.CheckConstraint(
                condition=Q(temperature__isnull=True) | Q(temperature__gte=34, temperature__lte=43),
                name="checkin_temperature_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.get_final_decision_display()}"


class DailyCount(models.Model):
    """Check-ins per site, day and final decision: what is kept when the records are purged."""

    venue = models.ForeignKey(Venue, verbose_name=_("site"), on_delete=models.CASCADE, related_name="daily_counts")
    day = models.DateField(_("day"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision)
    count = models.PositiveIntegerField(_("check-ins"))

    class Meta:
        verbose_name = _("daily check-in count")
        ordering = ["-day", "venue", "decision"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "day", "decision"], name="daily_count_once"),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="daily_count_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.day} {self.decision}: {self.count}"


class FeverAction(models.TextChoices):
    """What was done about a staff member's reading at or above the site's bar."""

    SENT_HOME = "sent_home", _("Sent home")
    REMEASURED = "remeasured", _("Measured again")


class StaffTemperature(models.Model):
    """A staff member's own temperature, taken twice a day (health data: purged like check-ins).

    A reading at or above the site's bar when it was taken is a fever (kept with the reading: the
    policy may change later) and stays an alert until someone records what was done."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("site"), on_delete=models.CASCADE, related_name="staff_temperatures"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"))
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1)
    fever = models.BooleanField(_("fever"), default=False)
    action = models.CharField(_("what was done"), max_length=12, choices=FeverAction, blank=True)
    action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("action recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action_at = models.DateTimeField(_("action recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff temperature")
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["venue", "taken_at"])]
        constraints = [
            # Wider than what a form accepts (rules.LOWEST_TEMPERATURE...): readings kept from
            # before the forms asked to measure again stay valid.
            models.CheckConstraint(
                condition=Q(temperature__gte=34, temperature__lte=43), name="staff_temperature_plausible"
            ),
            models.CheckConstraint(
                condition=Q(action="") | Q(action__in=FeverAction.values), name="staff_temperature_action_valid"
            ),
            # Only a fever is acted on, and an action says when it was recorded.
            models.CheckConstraint(
                condition=Q(action="", action_at__isnull=True)
                | (~Q(action="") & Q(fever=True, action_at__isnull=False)),
                name="staff_temperature_action_for_fever",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M} {self.temperature}"


class Disinfection(models.Model):
    """A disinfection round of the site (the hall was disinfected twice a day)."""

    venue = models.ForeignKey(Venue, verbose_name=_("site"), on_delete=models.CASCADE, related_name="disinfections")
    done_at = models.DateTimeField(_("done at"))
    areas = models.CharField(_("areas"), max_length=200)
    disinfectant = models.CharField(_("disinfectant"), max_length=60, blank=True)
    done_by = models.CharField(_("done by"), max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disinfection round")
        ordering = ["-done_at", "-pk"]
        indexes = [models.Index(fields=["venue", "done_at"])]

    def __str__(self) -> str:
        return f"{self.venue} {timezone.localtime(self.done_at):%Y-%m-%d %H:%M}"
