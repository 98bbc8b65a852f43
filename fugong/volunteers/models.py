"""Mutual-aid and volunteer teams: members, what they lend, calls for help, shifts,
activities, the aid ledger and mediation cases."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TeamKind(models.TextChoices):
    MUTUAL_AID = "mutual_aid", _("Mutual-aid group")  # 诚信互助小组
    VOLUNTEER = "volunteer", _("Volunteer team")  # 美丽帮帮团
    MEDIATION = "mediation", _("Mediation team")  # 美丽舅妈


class FunctionalGroup(models.TextChoices):
    """The six groups of a women's federation team."""

    PUBLICITY = "publicity", _("Publicity")  # 宣传发动
    SANITATION = "sanitation", _("Sanitation")  # 卫生保洁
    COURTYARDS = "courtyards", _("Courtyards")  # 庭院美化
    NEIGHBOURS = "neighbours", _("Neighbour help")  # 邻里互助
    CARE = "care", _("Care")  # 爱心帮扶
    MEDIATION = "mediation", _("Mediation")  # 纠纷调解


class Skill(models.TextChoices):
    DRIVING = "driving", _("Driving")
    LOADING = "loading", _("Loading and carrying")
    CHECKPOINT = "checkpoint", _("Checkpoint duty")
    CLEANING = "cleaning", _("Cleaning and disinfection")
    CARE = "care", _("Care for the elderly and children")
    PUBLICITY = "publicity", _("Publicity")
    MEDIATION = "mediation", _("Mediation")
    COOKING = "cooking", _("Cooking")
    FIRST_AID = "first_aid", _("First aid")


class LicenceClass(models.TextChoices):
    NONE = "", _("No licence")
    C1 = "C1", _("C1 (car, van)")
    C2 = "C2", _("C2 (automatic car)")
    B1 = "B1", _("B1 (bus)")
    B2 = "B2", _("B2 (lorry)")
    A2 = "A2", _("A2 (articulated lorry)")
    D = "D", _("D (motorcycle, tricycle)")


class Team(models.Model):
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind)
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="teams"
    )
    region = models.ForeignKey("directory.Region", verbose_name=_("region"), on_delete=models.PROTECT)
    leader = models.ForeignKey(
        "Member", verbose_name=_("leader"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("team")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_per_organisation"),
            models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="team_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A person in a team. Their mobile is personal data: masked in lists, cleared with their
    name once they have left and the retention period has passed."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)  # E.164
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
    )
    village = models.ForeignKey(
        "directory.Region",
        verbose_name=_("village"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    group = models.CharField(_("group"), max_length=16, choices=FunctionalGroup, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)  # Skill values, checked by the service
    licence = models.CharField(_("driving licence"), max_length=4, choices=LicenceClass, blank=True)
    e_tricycle_licence = models.BooleanField(_("may ride an e-tricycle"), default=False)
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text = models.CharField(_("consent"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # Part of the member's duty link: raising it makes a lost or shared link stop working.
    link_version = models.PositiveSmallIntegerField(_("link version"), default=1, editable=False)
    search_key = models.CharField(_("search key"), max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("member")
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "mobile"], condition=~Q(mobile=""), name="member_mobile_once_per_team"
            ),
            models.CheckConstraint(
                condition=Q(group="") | Q(group__in=FunctionalGroup.values), name="member_group_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @property
    def may_drive(self) -> bool:
        return bool(self.licence) or self.e_tricycle_licence

    def may_drive_a(self, vehicle_kind: str) -> bool:
        return licence_allows(self.licence, self.e_tricycle_licence, vehicle_kind)


CAR_LICENCES = frozenset({"C1", "C2", "B1", "B2", "A2"})
MOTOR_VEHICLES = frozenset({"van", "car", "lorry"})


def licence_allows(licence: str, e_tricycle: bool, vehicle_kind: str) -> bool:
    """Vans, cars and lorries need a car licence or above; tricycles a D licence, an
    e-tricycle permission or a car licence. (Bureau drivers and volunteers alike.)"""
    if vehicle_kind in MOTOR_VEHICLES:
        return licence in CAR_LICENCES
    return bool(licence) or e_tricycle


class OfferKind(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    TIME = "time", _("Time")
    SKILL = "skill", _("Skill")


class VehicleKind(models.TextChoices):
    TRICYCLE = "tricycle", _("Tricycle")
    E_TRICYCLE = "e_tricycle", _("Electric tricycle")
    VAN = "van", _("Van")
    CAR = "car", _("Car")
    LORRY = "lorry", _("Lorry")


class OfferState(models.TextChoices):
    OFFERED = "offered", _("Waiting for the team leader")
    CONFIRMED = "confirmed", pgettext_lazy("offer", "Confirmed")
    DECLINED = "declined", pgettext_lazy("offer", "Declined")


class Offer(models.Model):
    """What a member lends: a vehicle (with who may drive it), time, or a skill.

    A member's own offer waits for the team leader (or the office) to confirm it; only confirmed
    offers join the fleet and can be brought to a call. What the office enters is confirmed at once.
    """

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(_("kind"), max_length=10, choices=OfferKind)
    vehicle_kind = models.CharField(_("vehicle"), max_length=12, choices=VehicleKind, blank=True)
    capacity_cartons = models.PositiveIntegerField(_("capacity (cartons)"), default=0)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    drivers = models.ManyToManyField(
        Member, verbose_name=_("who may drive it"), blank=True, related_name="vehicles_they_may_drive"
    )
    skill = models.CharField(_("skill"), max_length=16, choices=Skill, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    state = models.CharField(_("state"), max_length=10, choices=OfferState, default=OfferState.OFFERED)
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed or declined by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("confirmed or declined at"), null=True, blank=True)
    # The phone form's own key: a double tap or a resend on a poor connection records one offer.
    client_key = models.CharField(_("client key"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("offer")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OfferKind.values), name="offer_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=OfferState.values), name="offer_state_valid"),
            models.CheckConstraint(
                condition=Q(state="offered", decided_at__isnull=True)
                | (~Q(state="offered") & Q(decided_at__isnull=False)),
                name="offer_decided_when_not_waiting",
            ),
            models.UniqueConstraint(
                fields=["member", "client_key"], condition=~Q(client_key=""), name="offer_client_key_once"
            ),
            models.CheckConstraint(
                condition=~Q(kind="vehicle") | (~Q(vehicle_kind="") & Q(capacity_cartons__gt=0)),
                name="offer_vehicle_has_kind_and_capacity",
            ),
            models.CheckConstraint(condition=~Q(kind="skill") | ~Q(skill=""), name="offer_skill_named"),
        ]

    def __str__(self) -> str:
        if self.kind == OfferKind.VEHICLE:
            return f"{self.get_vehicle_kind_display()} {self.plate}".strip()
        return self.get_kind_display()


class Availability(models.Model):
    """When an offer can be used: given by the member, or set by a confirmed call for help."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    call = models.ForeignKey(
        "HelpCall", verbose_name=_("call for help"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("availability")
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="availability_ordered")]

    def __str__(self) -> str:
        return f"{self.offer} {timezone.localtime(self.starts_at):%m-%d %H:%M}"


class HelpCallStatus(models.TextChoices):
    OPEN = "open", _("Taking answers")
    FULL = "full", pgettext_lazy("call for help", "Full")
    CANCELLED = "cancelled", _("Cancelled")


class HelpCall(models.Model):
    """A coordinator asks for N people (with a skill or a vehicle) for a time and place."""

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="help_calls"
    )
    title = models.CharField(_("title"), max_length=100)
    needed = models.PositiveSmallIntegerField(_("people needed"))
    skill = models.CharField(_("skill"), max_length=16, choices=Skill, blank=True)
    vehicle_kind = models.CharField(_("vehicle they bring"), max_length=12, choices=VehicleKind, blank=True)
    needs_driver = models.BooleanField(_("must be able to drive"), default=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("where"), max_length=120)
    # Where they report, when it is one of the organisation's sites: the admission check there
    # (screening) shows on the call for those confirmed.
    site = models.ForeignKey(
        "directory.Site",
        verbose_name=_("site they report to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_calls",
    )
    details = models.TextField(_("details for those confirmed"), blank=True)
    teams = models.ManyToManyField(Team, verbose_name=_("teams asked"), related_name="help_calls")
    status = models.CharField(_("status"), max_length=10, choices=HelpCallStatus, default=HelpCallStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call for help")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="help_call_ordered"),
            models.CheckConstraint(condition=Q(needed__gte=1), name="help_call_needs_someone"),
        ]

    def __str__(self) -> str:
        return self.title


class AnswerStatus(models.TextChoices):
    YES = "yes", _("Can come")
    NO = "no", _("Cannot come")
    CONFIRMED = "confirmed", _("Confirmed")
    TOO_LATE = "too_late", _("Answered after the call was full")


class HelpAnswer(models.Model):
    call = models.ForeignKey(
        HelpCall, verbose_name=_("call for help"), on_delete=models.CASCADE, related_name="answers"
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="answers")
    status = models.CharField(_("answer"), max_length=10, choices=AnswerStatus)
    vehicle = models.ForeignKey(
        Offer, verbose_name=_("vehicle"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        ordering = ["answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "member"], name="one_answer_per_member"),
            models.CheckConstraint(condition=Q(status__in=AnswerStatus.values), name="answer_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.get_status_display()}"


class CallInvitation(models.Model):
    """A call for help sent to one member: when, by whom, through which message. A second
    sending asks no one twice; a reminder to those who did not answer is its own row."""

    call = models.ForeignKey(
        HelpCall, verbose_name=_("call for help"), on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+")
    is_reminder = models.BooleanField(_("reminder"), default=False)
    channel = models.ForeignKey(
        "notify.Channel", verbose_name=_("channel"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.ForeignKey(
        "notify.Message", verbose_name=_("message"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "member"], condition=Q(is_reminder=False), name="call_invitation_once"
            ),
        ]

    def __str__(self) -> str:  # never the member's name: this text reaches the audit log
        return f"{self.call} · {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"


class CallNote(models.Model):
    """What the coordinator writes down about a call (who phoned back, what changed)."""

    call = models.ForeignKey(HelpCall, verbose_name=_("call for help"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("note on a call")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="call_note_not_empty")]

    def __str__(self) -> str:
        return f"{self.call} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class Shift(models.Model):
    """A turn of duty at a site (a checkpoint staffed in three shifts a day)."""

    site = models.ForeignKey("directory.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="shifts")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    needed = models.PositiveSmallIntegerField(_("people needed"), default=2)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("shift")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ordered"),
            models.UniqueConstraint(fields=["site", "team", "starts_at"], name="shift_once"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {timezone.localtime(self.starts_at):%m-%d %H:%M}"


class ShiftAssignment(models.Model):
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="assignments")
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift assignment")
        constraints = [
            models.UniqueConstraint(fields=["shift", "member"], name="assigned_once"),
            models.CheckConstraint(
                condition=Q(signed_out_at__isnull=True) | Q(signed_in_at__lt=F("signed_out_at")),
                name="sign_out_after_sign_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift} · {self.member_id}"


class ActivityKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Checkpoint duty")
    CLEANING = "cleaning", _("Cleaning and disinfection")
    CARE_VISIT = "care_visit", _("Care visit")
    ERRANDS = "errands", _("Errands (poultry, shopping)")
    PUBLICITY = "publicity", _("Publicity")
    DELIVERY = "delivery", _("Delivery help")
    HANDOUT = "handout", _("Handing out aid")
    OTHER = "other", _("Other")


class Activity(models.Model):
    """What a team did: the basis of the yearly figures (activities, person-times, people served)."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind)
    title = models.CharField(_("title"), max_length=100)
    place = models.CharField(_("place"), max_length=120, blank=True)
    region = models.ForeignKey("directory.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"), db_index=True)
    participants = models.ManyToManyField(Member, verbose_name=_("participants"), related_name="activities")
    people_served = models.PositiveIntegerField(_("people served"), default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid")]

    def __str__(self) -> str:
        return self.title


class AidItem(models.TextChoices):
    MOTHER_PARCEL = "mother_parcel", _("Mother parcel")  # 母亲邮包
    GIFT_PACKAGE = "gift_package", _("Gift package")  # 爱心礼包
    MASKS = "masks", _("Masks (boxes)")
    FOOD = "food", _("Food parcel")
    OTHER = "other", _("Other")


class AidEntry(models.Model):
    """One line of a team's aid ledger: items received (+) or handed out (-)."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="aid_entries")
    item = models.CharField(_("item"), max_length=16, choices=AidItem)
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive when received, negative when handed out."))
    on = models.DateField(_("date"), db_index=True)
    counterparty = models.CharField(_("from / to"), max_length=100, blank=True)
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.SET_NULL, null=True, blank=True, related_name="aid"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
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
        verbose_name = _("aid ledger entry")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="aid_entry_not_zero"),
            models.CheckConstraint(condition=Q(item__in=AidItem.values), name="aid_item_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.quantity:+d}"


class DisputeKind(models.TextChoices):
    FAMILY = "family", _("Marriage and family")
    NEIGHBOURS = "neighbours", _("Neighbours")
    PROPERTY = "property", _("Land and property")
    LABOUR = "labour", _("Wages and work")
    OTHER = "other", _("Other")


class CaseOutcome(models.TextChoices):
    OPEN = "open", _("Not yet settled")
    AGREEMENT = "agreement", _("Agreement reached")
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred elsewhere")
    WITHDRAWN = "withdrawn", _("Withdrawn")


SETTLED = (CaseOutcome.AGREEMENT, CaseOutcome.RESOLVED)


class MediationCase(models.Model):
    """A dispute a mediation team takes on (美丽舅妈). Visible to that team and coordinators only."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(_("kind"), max_length=12, choices=DisputeKind)
    summary = models.TextField(_("what it is about"))
    opened_on = models.DateField(_("opened on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=CaseOutcome, default=CaseOutcome.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mediation case")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DisputeKind.values), name="case_kind_valid"),
            models.CheckConstraint(
                condition=Q(outcome="open", closed_on__isnull=True) | (~Q(outcome="open") & Q(closed_on__isnull=False)),
                name="case_closed_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.opened_on}"


class MediationParty(models.Model):
    case = models.ForeignKey(
        MediationCase, verbose_name=_("mediation case"), on_delete=models.CASCADE, related_name="parties"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)  # applicant, respondent, relative

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:  # never the name: this text reaches the audit log
        return self.role or str(_("party"))


class MediationSession(models.Model):
    case = models.ForeignKey(
        MediationCase, verbose_name=_("mediation case"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField(_("held on"))
    mediators = models.ManyToManyField(Member, verbose_name=_("mediators"), related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("session")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on}"
