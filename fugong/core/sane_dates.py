"""The last guard for dates: whatever path a row takes to the database (a form, the API, an
import, a service), a date outside FIRST_DAY..LAST_DAY is refused before it is saved, naming
the field. Forms and API schemas refuse it earlier with the same message; this catches the
path someone forgets, so that no stored date can break a page later."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .validators import validate_day


def refuse_unreal_dates(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or not sender.__module__.startswith("fugong."):  # fixtures load as they are
        return
    errors = {}
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.DateField):  # DateTimeField is one too
            try:
                validate_day(getattr(instance, field.attname))
            except ValidationError as error:
                errors[field.name] = error.messages
    if errors:
        raise ValidationError(errors)
