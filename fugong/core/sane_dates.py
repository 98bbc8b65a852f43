"""The last guard for dates: whatever path a row takes to the database (a form, the API, an
import, a service), a date outside FIRST_DAY..LAST_DAY is refused before it is saved, naming
the field. Forms and API schemas refuse it earlier with the same message; this catches the
path someone forgets, so that no stored date can break a page later."""

from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .validators import validate_day


@cache
def _date_fields(model: type[models.Model]) -> tuple[tuple[str, str], ...]:
    """(name, attname) of a fugong model's dates, worked out once per model: this runs on every save."""
    if not model.__module__.startswith("fugong."):
        return ()
    return tuple(
        (field.name, field.attname)
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField)  # DateTimeField is one too
    )


def refuse_unreal_dates(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures load as they are
        return
    errors = {}
    for name, attname in _date_fields(sender):
        try:
            validate_day(getattr(instance, attname))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
