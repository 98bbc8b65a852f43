from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def service_kwargs(form: BaseForm, *names: str) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


def flash_errors(request: HttpRequest, form: BaseForm) -> None:
    """A form posted from a panel on another page: each error as a message naming its field."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        text = " ".join(str(e) for e in errors)
        messages.error(request, f"{field.label}: {text}" if field is not None and field.label else text)
