import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fugong.core.forms import DATE_INPUT

from .models import FileKind, IndexSetup


class DayListField(forms.CharField):
    """Days written one per line (or separated by commas or spaces), kept as sorted ISO dates."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "2020-02-10\n2020-02-17"})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        days = set()
        for part in re.split(r"[\s,，、;；]+", str(value or "").strip()):
            if not part:
                continue
            try:
                days.add(date.fromisoformat(part).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a day; write days as 2020-02-10."), params={"value": part}
                ) from None
        return sorted(days)


class SetupForm(forms.ModelForm):
    reopening_days = DayListField(
        label=_("local reopening days counted as workdays"),
        required=False,
        help_text=_("For the workday baseline: days a county reopened although the calendar says rest, one per line."),
    )

    class Meta:
        model = IndexSetup
        fields = (
            "baseline_kind",
            "baseline_start",
            "baseline_end",
            "threshold",
            "weight",
            "exclude_suspended",
            "reopening_days",
        )
        widgets = {"baseline_start": DATE_INPUT, "baseline_end": DATE_INPUT}


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=FileKind.choices)
    file = forms.FileField(label=_("Parquet or CSV file"))
