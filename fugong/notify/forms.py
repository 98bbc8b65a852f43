import json
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Channel, ChannelKind, MessageStatus

# notify sits beside directory, not above it: the counties come through the channel's own field.
Region: Any = Channel._meta.get_field("region").related_model


class ChannelForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    options = forms.CharField(
        label=_("Options (JSON)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
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
    # Only for the platform administrator's channels (see `platform`): which county a platform channel serves.
    region = forms.ModelChoiceField(
        label=_("County"),
        queryset=Region.objects.filter(level=Region.Level.COUNTY).order_by("code"),
        required=False,
        empty_label=_("whole platform"),
        help_text=_("Its coordinators send calls and notices through it; no one elsewhere does."),
    )
    is_default = forms.BooleanField(
        label=_("Platform default"),
        required=False,
        help_text=_("Offered to everyone who may send and has no channel of their own; one channel at a time."),
    )

    def __init__(self, *args: Any, platform: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not platform:  # an organisation's channel serves that organisation
            del self.fields["region"], self.fields["is_default"]
        # The option names are typed as they are: shown as code inside the translated sentence.
        self.fields["options"].help_text = format_html(
            str(_("For example {example}; {environment} reads the secret from the environment.")),
            example=format_html("<code>{}</code>", '{"sign_name": "峡江烟草", "access_key_id": "LTAI…"}'),
            environment=format_html("<code>{}</code>", '{"secret_env": "VAR"}'),
        )

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
        label=_("Parameters, in order"),
        required=False,
        help_text=_("Comma-separated: the names in braces in the text, in the order the provider expects them"),
    )
    provider_template = forms.CharField(label=_("Provider template code"), max_length=60, required=False)

    def clean_parameters(self) -> list[str]:
        return [
            p.strip() for p in (self.cleaned_data.get("parameters") or "").replace("，", ",").split(",") if p.strip()
        ]


class TestForm(forms.Form):
    recipient = forms.CharField(label=_("Send a test to"), max_length=254, help_text=_("A mobile number or e-mail"))


class OptOutForm(forms.Form):
    recipient = forms.CharField(label=_("Mobile or e-mail"), max_length=254)
    channel_kind = forms.ChoiceField(
        label=pgettext_lazy("opt-out channel", "On"),
        choices=[("", _("every channel")), *ChannelKind.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False, help_text=_("How and when they asked."))


class OutboxFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *MessageStatus.choices], required=False)
    kind = forms.CharField(
        label=_("Message kind"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Message kind")})
    )


class BroadcastForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    template = forms.ChoiceField(label=_("Channel and message kind"))
    source = forms.ChoiceField(label=_("Recipients"))
    parameters = forms.CharField(
        label=_("Parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name=value"),
    )

    def __init__(self, *args: Any, templates: list[tuple[str, str]], sources: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates  # type: ignore[attr-defined]
        self.fields["source"].choices = sources  # type: ignore[attr-defined]

    def clean_parameters(self) -> dict[str, str]:
        values = {}
        for number, line in enumerate((self.cleaned_data.get("parameters") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(_("Line %(n)d is not name=value.") % {"n": number})
            values[name.strip()] = value.strip()
        return values
