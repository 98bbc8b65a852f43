import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.core.forms import DATE_INPUT, DATETIME_INPUT, TIME_INPUT, DayField, MomentField
from fugong.directory.models import Region, Site

from .models import (
    ActivityKind,
    AidItem,
    CaseOutcome,
    DisputeKind,
    FunctionalGroup,
    LicenceClass,
    Member,
    Offer,
    OfferKind,
    Skill,
    Team,
    TeamKind,
    VehicleKind,
)


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.team.name}）"


class MemberForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=40)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    consent = forms.BooleanField(
        label=_("The member agrees that their name, mobile, village and skills are kept for mutual-aid work"),
        required=False,
    )
    village = forms.ModelChoiceField(label=_("Village"), queryset=Region.objects.none(), required=False)
    group = forms.ChoiceField(label=_("Group"), choices=[("", "—"), *FunctionalGroup.choices], required=False)
    skills = forms.MultipleChoiceField(
        label=_("Skills"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    licence = forms.ChoiceField(label=_("Driving licence"), choices=LicenceClass.choices, required=False)
    e_tricycle_licence = forms.BooleanField(label=_("May ride an e-tricycle"), required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(code__startswith=team.region.code[:6], level=Region.Level.VILLAGE)


class TeamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    region: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Region"), queryset=None)
    founded_on = DayField(label=_("Founded on"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefixes = Q()
        for org in organisations:
            prefixes |= Q(code__startswith=org.region.prefix)
        for name, qs in (
            ("organisation", organisations),
            ("region", Region.objects.filter(prefixes, level__lte=Region.Level.VILLAGE).order_by("code")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Lends"), choices=OfferKind.choices)
    vehicle_kind = forms.ChoiceField(label=_("Vehicle"), choices=[("", "—"), *VehicleKind.choices], required=False)
    capacity_cartons = forms.IntegerField(label=_("Capacity (cartons)"), min_value=1, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    drivers = MemberChoice(
        label=_("Who may drive it"), queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    skill = forms.ChoiceField(label=_("Skill"), choices=[("", "—"), *Skill.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    available_from = MomentField(label=_("Available from"), widget=DATETIME_INPUT, required=False)
    available_until = MomentField(label=_("Available until"), widget=DATETIME_INPUT, required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["drivers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = team.members.filter(left_on__isnull=True).select_related("team")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("available_from"), data.get("available_until")
        if bool(start) != bool(end):
            self.add_error("available_until", _("Give both the start and the end of the window, or neither."))
        elif start and end and end <= start:
            self.add_error("available_until", _("The end must come after the start."))
        return data


class DriverChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        licence = " ".join(p for p in (obj.licence, str(_("e-tricycle")) if obj.e_tricycle_licence else "") if p)
        return f"{obj.name}（{licence}）"


class MyOfferForm(forms.Form):
    """A member's own offer, on their phone: what, which days and hours; for a vehicle its plate
    and who may drive it (licensed members of their team, whose licences the leader can see)."""

    member = forms.ModelChoiceField(label=_("For team"), queryset=Member.objects.none(), empty_label=None)
    kind = forms.ChoiceField(
        label=_("I offer"), choices=OfferKind.choices, widget=forms.RadioSelect, initial=OfferKind.VEHICLE
    )
    vehicle_kind = forms.ChoiceField(label=_("Vehicle"), choices=[("", "—"), *VehicleKind.choices], required=False)
    plate = forms.CharField(
        label=_("Plate"), max_length=12, required=False, help_text=_("For a van, car or lorry, e.g. 赣D·3A712.")
    )
    capacity_cartons = forms.IntegerField(
        label=_("Capacity (cartons)"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    drivers = DriverChoice(
        label=_("Who may drive it"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Licensed members of your team. Tick nobody if only you drive it."),
    )
    skill = forms.ChoiceField(label=_("Skill"), choices=[("", "—"), *Skill.choices], required=False)
    first_day = DayField(label=_("First day"), widget=DATE_INPUT, initial=timezone.localdate)
    last_day = DayField(label=_("Last day"), widget=DATE_INPUT, required=False, help_text=_("Leave empty for one day."))
    starts = forms.TimeField(label=pgettext_lazy("start of a time window", "From"), widget=TIME_INPUT, initial="06:00")
    until = forms.TimeField(label=_("Until"), widget=TIME_INPUT, initial="21:30")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members
        if len(members) == 1:
            field.widget = forms.HiddenInput()
            field.initial = members[0].pk
        drivers = self.fields["drivers"]
        assert isinstance(drivers, forms.ModelMultipleChoiceField)
        licensed = Q(licence__gt="") | Q(e_tricycle_licence=True)
        drivers.queryset = Member.objects.filter(licensed, team__in=members.values("team"), left_on__isnull=True)
        # A new key for each form shown; the same page sent twice carries the same one.
        self.fields["client_key"].initial = uuid.uuid4().hex

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_day") and not data.get("last_day"):
            data["last_day"] = data["first_day"]
        return data


class WindowForm(forms.Form):
    starts_at = MomentField(label=pgettext_lazy("start of a time window", "From"), widget=DATETIME_INPUT)
    ends_at = MomentField(label=_("Until"), widget=DATETIME_INPUT)


class HelpCallForm(forms.Form):
    title = forms.CharField(label=_("What for"), max_length=100, initial="")
    needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=500)
    vehicle_kind = forms.ChoiceField(
        label=_("Vehicle they bring"), choices=[("", "—"), *VehicleKind.choices], required=False
    )
    needs_driver = forms.BooleanField(label=_("Must be able to drive"), required=False)
    skill = forms.ChoiceField(label=_("Skill"), choices=[("", "—"), *Skill.choices], required=False)
    starts_at = MomentField(label=_("Starts"), widget=DATETIME_INPUT)
    ends_at = MomentField(label=_("Ends"), widget=DATETIME_INPUT)
    place = forms.CharField(label=_("Where"), max_length=120, required=False)
    site = forms.ModelChoiceField(
        label=_("Site they report to"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("Their admission check there shows on the call."),
    )
    details = forms.CharField(
        label=_("Details for those confirmed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams to ask"), queryset=Team.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teams"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = teams
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = Site.objects.filter(
            organisation__in=teams.values("organisation"), is_active=True
        ).select_related("organisation")
        tomorrow = timezone.localtime().replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=1)
        self.fields["starts_at"].initial = tomorrow
        self.fields["ends_at"].initial = tomorrow + timedelta(hours=14)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("site"):
            self.add_error("place", _("Say where, or choose the site."))
        return data


class SendCallForm(forms.Form):
    channel: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Send through"), queryset=None)
    remind = forms.BooleanField(
        label=_("Send again to those asked who have not answered"),
        required=False,
        help_text=_("Without it, each member is asked once; those booked at these hours or who answered never are."),
    )

    def __init__(self, *args: Any, channels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = channels


class CallNoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    vehicle = forms.ModelChoiceField(label=_("The vehicle I bring"), queryset=Offer.objects.none(), required=False)

    def __init__(self, *args: Any, vehicles: QuerySet[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["vehicle"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = vehicles


class RosterForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    site: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Site"), queryset=None)
    first_day = DayField(label=_("First day"), widget=DATE_INPUT)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=62, initial=7)
    needed = forms.IntegerField(label=_("People per shift"), min_value=1, max_value=20, initial=2)

    def __init__(self, *args: Any, teams: QuerySet[Team], sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (("team", teams), ("site", sites)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs
        self.fields["first_day"].initial = timezone.localdate() + timedelta(days=1)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("What was done"), max_length=100)
    held_on = DayField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    participants = MemberChoice(
        label=_("Participants"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    people_served = forms.IntegerField(label=_("People served"), min_value=0, initial=0)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = team.members.filter(left_on__isnull=True).select_related("team")


class AidForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"), choices=AidItem.choices)
    direction = forms.ChoiceField(
        label=_("Received or handed out"),
        choices=[("in", pgettext_lazy("aid ledger", "Received")), ("out", _("Handed out"))],
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    on = DayField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    counterparty = forms.CharField(label=_("From / to"), max_length=100, required=False)


class StatsForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    first_day = DayField(label=_("First day"), widget=DATE_INPUT)
    last_day = DayField(label=_("Last day"), widget=DATE_INPUT)

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regions

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("The end must come after the start."))
        return data


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    summary = forms.CharField(label=_("What it is about"), widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = DayField(label=_("Opened on"), widget=DATE_INPUT, initial=timezone.localdate)
    party_1 = forms.CharField(label=_("First party"), max_length=40)
    party_1_mobile = forms.CharField(label=_("First party's mobile"), max_length=20, required=False)
    party_2 = forms.CharField(label=_("Second party"), max_length=40, required=False)
    party_2_mobile = forms.CharField(label=_("Second party's mobile"), max_length=20, required=False)


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in CaseOutcome.choices if c[0] != CaseOutcome.OPEN]
    )
    closed_on = DayField(label=_("Closed on"), widget=DATE_INPUT, initial=timezone.localdate)
    note = forms.CharField(label=_("Outcome note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
