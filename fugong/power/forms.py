from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import DATE_INPUT, DATETIME_INPUT, DayField, MomentField
from fugong.directory.models import Organisation, Region
from fugong.notify import kinds

from .models import (
    ApplicationKind,
    BusinessKind,
    CallKind,
    CapacityTariff,
    Industry,
    PowerAccount,
    Resident,
    SuspensionRules,
    Urgency,
    Voltage,
)
from .models.applications import RequestChannel
from .queries import ELSEWHERE, SAME_TOWN, SAME_VILLAGE, Helper
from .services.customers import ACCOUNT_FIELDS
from .services.notices import Standing


def county_regions(company: Organisation) -> Any:
    return Region.objects.filter(code__startswith=company.region.prefix).order_by("code")


class AccountForm(forms.ModelForm):
    class Meta:
        model = PowerAccount
        fields = ACCOUNT_FIELDS

    def __init__(self, *args: Any, company: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = county_regions(company)  # type: ignore[attr-defined]
        if self.instance.mobile:
            self.initial["mobile"] = self.instance.mobile.removeprefix("+86")


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ApplicationKind.choices)
    capacity_kva = forms.IntegerField(label=_("Capacity taken out (kVA)"), min_value=1)
    start_on = DayField(label=_("First day out"), widget=DATE_INPUT)
    end_on = DayField(
        label=_("Last day out"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Empty: until restoration is requested."),
    )
    channel = forms.ChoiceField(
        label=_("Requested"), choices=[c for c in RequestChannel.choices if c[0] != RequestChannel.AUTOMATIC]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, account: PowerAccount, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity_kva"].initial = account.capacity_kva
        self.fields["start_on"].initial = timezone.localdate()


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason, for the enterprise"), max_length=200)


class RestorationForm(forms.Form):
    restore_on = DayField(label=_("Supply back on"), widget=DATE_INPUT)
    channel = forms.ChoiceField(
        label=_("Requested"), choices=[c for c in RequestChannel.choices if c[0] != RequestChannel.AUTOMATIC]
    )
    note = forms.CharField(label=_("Note from the call"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["restore_on"].initial = timezone.localdate()
        self.fields["channel"].initial = RequestChannel.PHONE


class DispatchForm(forms.Form):
    worker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Field worker"), queryset=None)

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]


class RulesForm(forms.ModelForm):
    class Meta:
        model = SuspensionRules
        fields = ("min_days", "max_days_per_year", "epidemic_from", "epidemic_until", "extension_days")
        widgets = {"epidemic_from": DATE_INPUT, "epidemic_until": DATE_INPUT}


class TariffForm(forms.ModelForm):
    class Meta:
        model = CapacityTariff
        fields = ("effective_from", "price")
        widgets = {"effective_from": DATE_INPUT}


class WindowForm(forms.Form):
    number = forms.IntegerField(label=_("Window number"), min_value=1, max_value=99)
    kinds = forms.MultipleChoiceField(
        label=_("Business taken"), choices=BusinessKind.choices, widget=forms.CheckboxSelectMultiple
    )
    is_open = forms.BooleanField(label=_("Window open"), required=False, initial=True)


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("Business"), choices=BusinessKind.choices, widget=forms.RadioSelect)
    priority = forms.BooleanField(label=_("Priority (elderly, disabled, pregnant)"), required=False)
    checkin = forms.IntegerField(required=False, widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class ResidentForm(forms.ModelForm):
    class Meta:
        model = Resident
        fields = ("name", "kind", "phone", "address", "region", "contact_name", "contact_phone", "account", "note")

    def __init__(self, *args: Any, company: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = county_regions(company)  # type: ignore[attr-defined]
        self.fields["account"].queryset = PowerAccount.objects.filter(  # type: ignore[attr-defined]
            organisation=company, kind="resident"
        )
        self.fields["account"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["account"].to_field_name = "number"  # type: ignore[attr-defined]
        self.fields["account"].help_text = _("The household's account number, if known.")
        if self.instance.account_id:
            self.initial["account"] = self.instance.account.number


class CallForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of call"), choices=CallKind.choices, initial=CallKind.OTHER)
    need = forms.CharField(label=_("What is needed"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=[("", _("As the kind says (no power or unsafe: urgent)")), *Urgency.choices],
        required=False,
    )


class RepairForm(forms.Form):
    """An urgent no-power call to the supply station's crew, in one step."""

    worker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Electrician sent"), queryset=None)

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]


NEARNESS_GROUPS = {
    SAME_VILLAGE: _("In the resident's village"),
    SAME_TOWN: _("In the resident's town"),
    ELSEWHERE: _("Elsewhere in the county"),
}


class AssignForm(forms.Form):
    """The helpers nearest first (see queries.helpers_for), each with where they are based,
    whether they are on duty and how many open tickets they have."""

    assignee = forms.ChoiceField(label=_("Who goes"))

    def __init__(self, *args: Any, helpers: list[Helper], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[int, list[tuple[str, str]]] = {}
        for helper in helpers:
            groups.setdefault(helper.nearness, []).append((helper.key, helper_label(helper)))
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (NEARNESS_GROUPS[nearness], choices) for nearness, choices in sorted(groups.items())
        ]


def helper_label(helper: Helper) -> str:
    parts = [helper.name, helper.where if helper.is_staff else f"{helper.where} · {gettext('volunteer')}"]
    if helper.on_duty:
        parts.append(gettext("on duty"))
    parts.append(ngettext("%(n)d open ticket", "%(n)d open tickets", helper.open_today) % {"n": helper.open_today})
    return " · ".join(parts)


class VisitForm(forms.Form):
    visited_at = MomentField(label=_("Visited at"), widget=DATETIME_INPUT)
    visitor = forms.CharField(label=_("Who went"), max_length=60, required=False)
    findings = forms.CharField(label=_("What was found and done"), widget=forms.Textarea(attrs={"rows": 3}))
    resolved = forms.BooleanField(label=_("Problem solved"), required=False, initial=True)
    revisit_on = DayField(label=_("Revisit on"), widget=DATE_INPUT, required=False, help_text=_("Empty: in 14 days."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class RevisitForm(forms.Form):
    outcome = forms.CharField(label=_("How the resident is doing"), widget=forms.Textarea(attrs={"rows": 2}))
    next_on = DayField(
        label=_("Next revisit"), widget=DATE_INPUT, required=False, help_text=_("Empty: no further revisit.")
    )


class NoticeForm(forms.Form):
    template: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Message"), queryset=None)
    voltage = forms.ChoiceField(label=_("Voltage"), choices=[("", _("Any")), *Voltage.choices], required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", _("Any")), *Industry.choices], required=False)
    region_code = forms.ChoiceField(label=_("Town"), required=False)
    supply_station = forms.ChoiceField(label=_("Supply station"), required=False)
    standing = forms.ChoiceField(label=_("Suspension"), choices=Standing.CHOICES, required=False)
    title = forms.CharField(label=_("Title, for the outbox"), max_length=120, required=False)

    def __init__(self, *args: Any, company: Organisation, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.fields["template"].label_from_instance = lambda t: f"{kinds.label_of(t.kind)} · {t.text[:40]}"  # type: ignore[attr-defined]
        towns = county_regions(company).filter(level=Region.Level.TOWN)
        self.fields["region_code"].choices = [("", _("Any")), *((r.code, r.name) for r in towns)]  # type: ignore[attr-defined]
        stations = (
            PowerAccount.objects.filter(organisation=company)
            .order_by("supply_station")
            .values_list("supply_station", flat=True)
            .distinct()
        )
        self.fields["supply_station"].choices = [("", _("Any")), *((s, s) for s in stations)]  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))
