from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.accounts.permissions import scope_of
from fugong.core.forms import DATETIME_INPUT, MomentField

from . import queries
from .models import Organisation, Region, Site, ZoneStatus
from .services import ORGANISATION_FIELDS, SITE_FIELDS, site_area_prefix


def regions_for(user: Any, max_level: int = Region.Level.VILLAGE) -> Any:
    """Regions a user may put sites in: their coordinated regions and the areas of the
    organisations they manage (the same rule the site services enforce)."""
    scope = scope_of(user)
    qs = Region.objects.filter(level__lte=max_level)
    if scope.is_platform_admin:
        return qs
    prefixes = set(scope.region_prefixes)
    for org in queries.manageable_organisations(user):
        prefixes.add(site_area_prefix(org))
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    return qs.filter(condition)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class OrganisationForm(forms.ModelForm):
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(actor)  # type: ignore[attr-defined]


class SiteForm(forms.ModelForm):
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())

    class Meta:
        model = Site
        fields = list(SITE_FIELDS)
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.manageable_organisations(actor)  # type: ignore[attr-defined]
        self.fields["region"].queryset = regions_for(actor)  # type: ignore[attr-defined]


# How far ahead a change may be scheduled: further than this is a typo, not a plan.
LONGEST_SCHEDULE = timedelta(days=90)


class ZoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Lockdown status"), choices=ZoneStatus.choices)
    effective_at = MomentField(
        label=_("Takes effect at"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Leave empty to change it now; a later time schedules it, and it can be withdrawn until then."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_effective_at(self) -> datetime | None:
        when: datetime | None = self.cleaned_data.get("effective_at")
        if when is None:
            return None
        now = timezone.now()
        if when <= now:
            raise forms.ValidationError(_("This time has passed; leave the box empty to change the status now."))
        if when > now + LONGEST_SCHEDULE:
            raise forms.ValidationError(
                _("A change can be scheduled up to %(days)d days ahead.") % {"days": LONGEST_SCHEDULE.days}
            )
        return when


class ChildRegionForm(forms.Form):
    code = forms.RegexField(
        label=_("Division code"),
        regex=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$",
        error_messages={"invalid": _("A division code has 6, 9 or 12 digits.")},
    )
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))  # size and type: core.imports.start_import
