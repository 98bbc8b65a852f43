import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ChannelKind, MessageStatus


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    options = forms.CharField(
        label=_("Options (JSON)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            'For example {"sign_name": "峡江烟草", "access_key_id": "LTAI…"}; '
            '{"secret_env": "VAR"} reads the secret from the environment.'
        ),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret. It is stored encrypted and never shown again."),
    )
    rate_per_minute = forms.IntegerField(label=_("Messages per minute"), min_value=1, initial=600)
    daily_quota_per_recipient = forms.IntegerField(label=_("Messages per recipient per day"), min_value=1, initial=20)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_options(self) -> dict[str, Any]:
        text = self.cleaned_data.get("options") or "{}"
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": error}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write the options as a JSON object: {…}."))
        return value


class TemplateForm(forms.Form):
    kind = forms.SlugField(label=_("Message kind"), max_length=60)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    parameters = forms.CharField(
        label=_("Parameters, in order"), required=False, help_text=_("Comma-separated, e.g. shop, eta")
    )
    provider_template = forms.CharField(label=_("Provider template code"), max_length=60, required=False)

    def clean_parameters(self) -> list[str]:
        return [
            p.strip() for p in (self.cleaned_data.get("parameters") or "").replace("，", ",").split(",") if p.strip()
        ]


class TestForm(forms.Form):
    recipient = forms.CharField(label=_("Send a test to"), max_length=254, help_text=_("A mobile number or e-mail"))


class OutboxFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *MessageStatus.choices], required=False)
    kind = forms.CharField(label=_("Message kind"), required=False)
