from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.utils.translation import gettext as _

from .validators import validate_day

# The browser's date and time pickers read and write ISO values only: a localised value
# (2020/02/01 in Chinese) would show an empty field and be lost on the next save.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DayField(forms.DateField):
    """A date people mean (core.validators.validate_day): a typo such as 9999 is refused here."""

    default_validators = [validate_day]


class MomentField(forms.DateTimeField):
    default_validators = [validate_day]


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def named_errors(form: BaseForm, error: ValidationError | None = None) -> ValidationError:
    """The form's errors, and a service's if given, each naming its field ("原因：这个字段是必填项。"):
    for one-line forms whose errors are shown as messages, away from the box they belong to."""
    if error is not None:
        apply_errors(form, error)
    texts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for text in errors:
            texts.append(_("%(field)s: %(error)s") % {"field": field.label, "error": text} if field else text)
    return ValidationError(texts)


def service_kwargs(form: BaseForm, *names: str) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
