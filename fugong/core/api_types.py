"""Types for what the API takes in. `Day` and `Moment` refuse a date outside the range people
mean (core.validators.validate_day) with a 422 naming the field, before any service runs."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import AfterValidator

from .validators import validate_day


def _in_range[When: (date, datetime)](value: When) -> When:
    try:
        validate_day(value)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from error
    return value


Day = Annotated[date, AfterValidator(_in_range)]
Moment = Annotated[datetime, AfterValidator(_in_range)]
