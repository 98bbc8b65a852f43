import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.accounts.models import User
from fugong.core.forms import DATETIME_INPUT, MomentField

from . import rules
from .models import MAX_CHECKINS_PER_MINUTE, AdmissionPolicy, CheckKind, Decision, PolicyCheck
from .services.checkins import Visitor
from .services.policies import CheckSpec

TEMPERATURE_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5", "class": "big-input"}


def check_field(check: PolicyCheck, *, at_the_door: bool) -> forms.Field:
    """The form field that asks one check. At the door staff measure the temperature (required);
    on a visitor's phone it is what the thermometer at the entrance showed (may be left blank)."""
    label = check.get_kind_display()
    if check.kind == CheckKind.TEMPERATURE:
        return forms.CharField(
            label=_("Temperature (°C)"),
            required=at_the_door,
            max_length=5,
            widget=forms.TextInput(attrs=TEMPERATURE_ATTRS | ({"autofocus": True} if at_the_door else {})),
            help_text="" if at_the_door else _("As measured at the entrance; leave blank if not measured yet."),
        )
    if check.kind == CheckKind.VACCINATION:
        return forms.IntegerField(label=_("Vaccine doses"), min_value=0, max_value=rules.MAX_DOSES)
    return forms.ChoiceField(label=label, choices=rules.answer_choices(check), widget=forms.RadioSelect)


class CheckInForm(forms.Form):
    """Who is checked and their answers to the policy's checks."""

    for_someone_else = forms.BooleanField(
        label=_("I am registering someone else (e.g. an elderly person without a phone)"), required=False
    )
    name = forms.CharField(label=_("Full name"), max_length=40)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID number (if no mobile)"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    companion_name = forms.CharField(label=_("Your name"), max_length=40, required=False)
    companion_mobile = forms.CharField(
        label=_("Your mobile"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, policy: AdmissionPolicy, at_the_door: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checks = list(policy.checks.all())
        if not self.is_bound:
            self.initial.setdefault("nonce", uuid.uuid4().hex)
        if at_the_door:
            # Staff register the person in front of them; no companion fields.
            for name in ("for_someone_else", "companion_name", "companion_mobile"):
                del self.fields[name]
            self.fields["name"].required = False
            self.fields["mobile"].widget.attrs["autofocus"] = True
        for check in self.checks:
            self.fields[f"check_{check.kind}"] = check_field(check, at_the_door=at_the_door)

    def check_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{c.kind}"] for c in self.checks]

    def person_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "mobile", "id_number") if name in self.fields]

    def companion_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("companion_name", "companion_mobile") if name in self.fields]

    def visitor(self) -> Visitor:
        data = self.cleaned_data
        companion = data.get("for_someone_else")
        return Visitor(
            name=data.get("name", ""),
            mobile=data.get("mobile", ""),
            id_number=data.get("id_number", ""),
            companion_name=data.get("companion_name", "") if companion else "",
            companion_mobile=data.get("companion_mobile", "") if companion else "",
        )

    def answers(self) -> dict[str, Any]:
        return {c.kind: self.cleaned_data.get(f"check_{c.kind}") for c in self.checks}


class VenueForm(forms.Form):
    staff_check_times = forms.CharField(label=_("Staff temperature times"), initial="08:00, 14:00")
    disinfection_times = forms.CharField(label=_("Disinfection times"), initial="08:00, 14:00")
    grace_minutes = forms.IntegerField(label=_("Overdue after (minutes)"), min_value=5, max_value=240, initial=60)
    checkins_per_minute = forms.IntegerField(
        label=_("Phone check-ins per minute"),
        min_value=1,
        max_value=MAX_CHECKINS_PER_MINUTE,
        help_text=_(
            "The most visitors who may check in here with their phones in one minute; beyond it they are asked"
            " to wait. Set it to the busiest minute you expect (a gate at shift change: the people arriving"
            " in that minute)."
        ),
    )


class PolicyForm(forms.Form):
    """A new version: which checks, their values, and what failing or an unclear answer means."""

    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    effective_from = MomentField(label=_("In force from"), widget=DATETIME_INPUT)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    PARAMETER_LABELS = {
        CheckKind.RISK_AREA: _("days"),
        CheckKind.TEST_RESULT: _("hours"),
        CheckKind.TEMPERATURE: _("°C, must be below"),
        CheckKind.VACCINATION: _("doses at least"),
    }
    FAIL_CHOICES = [(Decision.REFUSE.value, Decision.REFUSE.label), (Decision.REFER.value, Decision.REFER.label)]

    def __init__(self, *args: Any, current: list[CheckSpec] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = {spec.kind: spec for spec in current or []}
        if not self.is_bound:
            self.initial.setdefault("effective_from", timezone.localtime().replace(second=0, microsecond=0))
        for kind in CheckKind:
            spec = chosen.get(kind)
            self.fields[f"{kind}_on"] = forms.BooleanField(label=kind.label, required=False, initial=spec is not None)
            if kind in self.PARAMETER_LABELS:
                field_class = forms.DecimalField if kind == CheckKind.TEMPERATURE else forms.IntegerField
                self.fields[f"{kind}_parameter"] = field_class(
                    label=self.PARAMETER_LABELS[kind], required=False, initial=spec.parameter if spec else None
                )
            self.fields[f"{kind}_fail"] = forms.ChoiceField(
                label=_("when it fails"), choices=self.FAIL_CHOICES, initial=spec.on_fail if spec else Decision.REFUSE
            )
            self.fields[f"{kind}_doubt"] = forms.ChoiceField(
                label=_("when unclear"), choices=Decision.choices, initial=spec.on_doubt if spec else Decision.REFER
            )

    def rows(self) -> list[dict[str, Any]]:
        """One row per kind of check, for the template's table."""
        return [
            {
                "on": self[f"{kind}_on"],
                "parameter": self[f"{kind}_parameter"] if f"{kind}_parameter" in self.fields else None,
                "fail": self[f"{kind}_fail"],
                "doubt": self[f"{kind}_doubt"],
            }
            for kind in CheckKind
        ]

    def specs(self) -> list[CheckSpec]:
        data = self.cleaned_data
        return [
            CheckSpec(kind, data.get(f"{kind}_parameter"), data[f"{kind}_fail"], data[f"{kind}_doubt"])
            for kind in CheckKind
            if data.get(f"{kind}_on")
        ]


class StaffTemperatureForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    temperature = forms.CharField(
        label=_("Temperature (°C)"), max_length=5, widget=forms.TextInput(attrs=TEMPERATURE_ATTRS)
    )

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by("full_name", "username")


class DisinfectionForm(forms.Form):
    areas = forms.CharField(label=_("Areas"), max_length=200, initial=_("Hall, counters, queue machine, door handles"))
    disinfectant = forms.CharField(
        label=_("Disinfectant"), max_length=60, required=False, initial=_("Chlorine-based, 500 mg/L")
    )
    done_by = forms.CharField(label=_("Done by"), max_length=40)
