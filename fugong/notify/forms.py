import json
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .kinds import label_of
from .models import Channel, ChannelKind, MessageStatus, MessageTemplate
from .recipients import Audience

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
    """The outbox by message kind (in words), channel, state and organisation: the choices are
    those among the messages the person may read."""

    kind = forms.ChoiceField(label=_("Message kind"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *MessageStatus.choices], required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        channels: list[tuple[str, str]],
        organisations: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *kinds]  # type: ignore[attr-defined]
        self.fields["channel"].choices = [("", "—"), *channels]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [("", "—"), *organisations]  # type: ignore[attr-defined]
        # One organisation's or one channel's messages: nothing to choose, the box would only take room.
        for name, choices in (("channel", channels), ("organisation", organisations)):
            if len(choices) < 2:
                del self.fields[name]


class BroadcastForm(forms.Form):
    """A template chosen by its name in words and an audience; then the audience's filters and
    the template's parameters: those each recipient fills are marked so, the rest entered."""

    title = forms.CharField(label=_("Title"), max_length=120)
    template = forms.ChoiceField(label=_("Message"))
    audience = forms.ChoiceField(label=_("Audience"))

    def __init__(
        self,
        *args: Any,
        templates: list[MessageTemplate],
        audiences: list[Audience],
        user: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {f"{t.channel_id}:{t.kind}": t for t in templates}
        self.audiences = {a.key: a for a in audiences}
        by_channel: dict[str, list[tuple[str, str]]] = {}
        for value, each in self.templates.items():
            by_channel.setdefault(str(each.channel), []).append((value, label_of(each.kind)))
        self.fields["template"].choices = [("", "—"), *by_channel.items()]  # type: ignore[attr-defined]
        self.fields["audience"].choices = [("", "—"), *((a.key, str(a.label)) for a in audiences)]  # type: ignore[attr-defined]
        for name in ("template", "audience"):
            # Picking one shows its filters or parameters at once (the button below does it without script).
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": "",
                    "hx-target": "closest form",
                    "hx-select": ".broadcast-form",
                    "hx-swap": "outerHTML",
                    "hx-vals": '{"choose": "1"}',
                }
            )
        template, audience = self.chosen_template, self.chosen_audience
        if template is not None:
            self.fields["template"].help_text = template.text
        if audience is not None:
            for flt in audience.filters:
                self.fields[f"filter_{flt.name}"] = forms.ChoiceField(
                    label=str(flt.label), choices=[("", _("Any")), *flt.choices(user)], required=False
                )
        fills = audience.fills if audience is not None else ()
        for name in template.parameters if template is not None else ():
            label = f"{{{name}}}"
            if name in fills:
                self.fields[f"param_{name}"] = forms.CharField(label=label, required=False, disabled=True)
                # Shown whatever was typed there before this audience was chosen.
                self.initial[f"param_{name}"] = _("Filled in for each recipient")
            else:
                self.fields[f"param_{name}"] = forms.CharField(label=label, max_length=200)

    def _picked(self, name: str) -> str:
        source = self.data if self.is_bound else self.initial
        return str(source.get(name) or "")

    @property
    def chosen_template(self) -> MessageTemplate | None:
        return self.templates.get(self._picked("template"))

    @property
    def chosen_audience(self) -> Audience | None:
        return self.audiences.get(self._picked("audience"))

    def filters(self) -> dict[str, str]:
        return {
            name.removeprefix("filter_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("filter_") and value
        }

    def parameters(self) -> dict[str, str]:
        """What the person entered; the parameters each recipient fills come from the audience."""
        fills = self.chosen_audience.fills if self.chosen_audience is not None else ()
        return {
            name.removeprefix("param_"): value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith("param_") and name.removeprefix("param_") not in fills
        }
