from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import DATE_INPUT, TIME_INPUT
from fugong.directory.models import Site

from . import queries
from .models import DeliveryPlan, Driver, Shop, Vehicle


class PlanForm(forms.ModelForm):
    class Meta:
        model = DeliveryPlan
        fields = [
            "day",
            "depot",
            "network_points",
            "trunk_starts_at",
            "trunk_deadline",
            "last_mile_ends_at",
            "longest_day_hours",
            "own_vehicles_first",
            "search_seconds",
        ]
        widgets = {
            "day": DATE_INPUT,
            "trunk_starts_at": TIME_INPUT,
            "trunk_deadline": TIME_INPUT,
            "last_mile_ends_at": TIME_INPUT,
            "network_points": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"day": timezone.localdate() + timedelta(days=1), "search_seconds": 10})
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = sites.exclude(kind=Site.Kind.NETWORK_POINT)  # type: ignore[attr-defined]
        self.fields["depot"].required = False
        points = sites.filter(kind=Site.Kind.NETWORK_POINT)
        self.fields["network_points"].queryset = points  # type: ignore[attr-defined]
        # Ticked: the network points not yet in a live plan of the day the form offers.
        taken = queries.points_in_live_plans(self.initial.get("day", timezone.localdate()), points)
        self.fields["network_points"].initial = list(points.exclude(pk__in=taken))
        self.fields["search_seconds"].widget.attrs.update({"min": 2, "max": 120})


class PlanSettingsForm(forms.ModelForm):
    """What the plan asks of the day, changed on the plan's page before planning again."""

    class Meta:
        model = DeliveryPlan
        fields = ["last_mile_ends_at", "longest_day_hours", "own_vehicles_first", "search_seconds"]
        widgets = {"last_mile_ends_at": TIME_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["longest_day_hours"].widget.attrs.update({"min": 1, "max": 16, "step": "0.5"})
        self.fields["search_seconds"].widget.attrs.update({"min": 2, "max": 120})


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=[("orders", _("Orders")), ("shops", _("Shops"))])
    file = forms.FileField(label=_("Excel or CSV file"))


class StatusForm(forms.Form):
    licence_number = forms.CharField(label=_("Licence number"), max_length=20)
    last_digits = forms.CharField(
        label=_("Last 4 digits of the shop's mobile"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class VehicleForm(forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = ["kind", "plate", "capacity_cartons", "home", "is_active"]

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = sites  # type: ignore[attr-defined]


class DriverForm(forms.ModelForm):
    class Meta:
        model = Driver
        fields = ["name", "mobile", "licence", "e_tricycle_licence", "is_active"]


class ShopForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [
            "name",
            "owner",
            "mobile",
            "address",
            "latitude",
            "longitude",
            "network_point",
            "opens_at",
            "closes_at",
            "service_minutes",
            "is_active",
        ]
        widgets = {
            "opens_at": TIME_INPUT,
            "closes_at": TIME_INPUT,
        }

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network_point"].queryset = sites.filter(kind=Site.Kind.NETWORK_POINT)  # type: ignore[attr-defined]
