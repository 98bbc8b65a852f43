from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FileKind, IndexSetup

DATE = forms.DateInput(attrs={"type": "date"})


class SetupForm(forms.ModelForm):
    class Meta:
        model = IndexSetup
        fields = ("baseline_kind", "baseline_start", "baseline_end", "threshold", "weight", "exclude_suspended")
        widgets = {"baseline_start": DATE, "baseline_end": DATE}


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=FileKind.choices)
    file = forms.FileField(label=_("Parquet or CSV file"))
