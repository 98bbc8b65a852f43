"""Types for what the API takes in. `Day` and `Moment` refuse a date outside the range people
mean (core.validators.validate_day) with a 422 naming the field, before any service runs."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, Field

from .validators import validate_day


def _in_range[When: (date, datetime)](value: When) -> When:
    try:
        validate_day(value)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from error
    return value


Day = Annotated[date, AfterValidator(_in_range)]
Moment = Annotated[datetime, AfterValidator(_in_range)]


# A row's id as the API takes it in a body or a list: a 20-digit number is refused with a 422
# instead of overflowing the database's integer and answering 500.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
