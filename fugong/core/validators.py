"""Validators for the identifiers Chinese offices deal with every day.

Each `clean_*` function returns the canonical form or raises ValidationError with a
message in the user's language; the field-level `validate_*` wrappers are what model
and form fields use.
"""

import re
from datetime import date, datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

# GB 32100-2015 allows a letter as the registration authority (e.g. "N" for rural
# collectives, "Y" for others) and as the entity category; python-stdnum only accepts
# digits in the first eight places, so the layout is checked here and the check digit
# is left to stdnum.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def clean_credit_code(value: str) -> str:
    """Return a unified social credit code (统一社会信用代码) in canonical form."""
    code = uscc.compact(value or "")
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    layout_ok = (
        all(c in _USCC_ALPHABET for c in code[:2])
        and code[2:8].isdigit()
        and all(c in _USCC_ALPHABET for c in code[8:])
    )
    if not layout_ok:
        raise ValidationError(
            _("This is not a unified social credit code: it contains characters not allowed there."),
            code="credit_code_format",
        )
    if code[-1] != uscc.calc_check_digit(code[:17]):
        raise ValidationError(
            _("The check character of this unified social credit code is wrong; please check it."),
            code="credit_code_checksum",
        )
    return code


def clean_resident_id(value: str) -> str:
    """Return an 18-digit resident identity card number (居民身份证号码) in canonical form."""
    try:
        return str(ric.validate(value or ""))
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("A resident ID number has 18 characters."), code="resident_id_length") from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The last character of this ID number does not match; please check it."),
            code="resident_id_checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid resident ID number (region code, birth date or format)."),
            code="resident_id_format",
        ) from None


def _parse_cn(text: str) -> phonenumbers.PhoneNumber | None:
    """A number as written, read as mainland China's when it has no country code."""
    try:
        return phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None


def clean_mobile(value: str) -> str:
    """Return a mobile number in E.164 form (+8613812345678).

    Numbers without a country code are read as mainland China numbers.
    """
    text = (value or "").strip()
    number = _parse_cn(text)
    if number is None:
        raise ValidationError(_("“%(value)s” is not a phone number."), code="mobile_format", params={"value": text})
    kinds = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in kinds:
        raise ValidationError(
            _("“%(value)s” is not a valid mobile number."),
            code="mobile_invalid",
            params={"value": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(value: str) -> bool:
    """Whether a number can receive an SMS (landlines of the priority line cannot)."""
    try:
        clean_mobile(value)
    except ValidationError:
        return False
    return True


def clean_phone(value: str) -> str:
    """A mobile or a landline with its area code (0578-6122000), in E.164 form: old people on
    the priority line often have only a landline."""
    text = (value or "").strip()
    number = _parse_cn(text)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a phone number (a landline needs its area code)."),
            code="phone_invalid",
            params={"value": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_phone(e164: str) -> str:
    """A mobile or landline as dialled in China: 13812345678, 05786122000."""
    number = _parse_cn(e164)
    if number is None or number.country_code != 86:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def national_mobile(e164: str) -> str:
    """The number as people in China write it: 13812345678 (foreign numbers stay E.164)."""
    if e164.startswith("+86"):
        return e164[3:]
    return e164


# GA 36-2018: a province's one-character abbreviation, the issuing office's letter, then five
# letters or digits (I and O are never used), or six on a new-energy plate (D or F first or last).
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"^[{PLATE_PROVINCES}][A-HJ-NP-Z]"
    r"(?:[A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF])[挂学警]?$"
)


def clean_plate(value: str) -> str:
    """Return a motor vehicle's number plate (机动车号牌) as written on it: 赣D·3A712."""
    text = re.sub(r"[\s·.•\-]", "", value or "").upper()
    if not _PLATE.match(text):
        raise ValidationError(
            _("“%(value)s” is not a number plate: a province (赣), a letter, then 5 or 6 letters or digits."),
            code="plate_format",
            params={"value": (value or "").strip()},
        )
    return f"{text[:2]}·{text[2:]}"


def validate_credit_code(value: str) -> None:
    clean_credit_code(value)


def validate_resident_id(value: str) -> None:
    clean_resident_id(value)


def validate_mobile(value: str) -> None:
    clean_mobile(value)


# Dates people mean: a typo such as 9999-12-30 or 0202-02-10 is refused where it is typed, so
# that no stored row can later overflow a calculation and break a page for everyone who reads it.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def validate_day(value: date | datetime | None) -> None:
    if not isinstance(value, date):  # nothing yet, or text a form field will parse and check
        return
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            code="day_out_of_range",
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
