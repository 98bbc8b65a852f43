"""Reading settings from the environment, strictly: a value that cannot be read stops start-up
with the variable's name, instead of quietly meaning "off" or "default" (SECURE_SSL=ture once
turned HTTPS off). Secrets can also come from a file named by `<NAME>_FILE` (Docker and systemd
credentials), so they need not sit in the process environment.

No Django here beyond its configuration error: settings.py imports this before Django is set up.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def text(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def boolean(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off.")


def integer(name: str, default: int, *, minimum: int | None = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is below {minimum}.")
    return number


UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def duration(name: str, default: timedelta, *, unit: str) -> timedelta:
    """A length of time, more than none: a whole number in the `unit` the variable's name
    says (RETENTION_CHECKINS_DAYS=28), or with its own unit (4w, 36h, 90m, 30s)."""
    value = _raw(name)
    if value is None:
        return default
    found = re.fullmatch(r"(\d+)\s*([smhdw]?)", value.replace("_", "").lower())
    if found is None:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a length of time: give a whole number of {unit}, or one with s, m, h, d or w."
        )
    length = timedelta(**{UNITS[found[2]] if found[2] else unit: int(found[1])})
    if length <= timedelta(0):
        raise ImproperlyConfigured(f"{name}={value!r} must be longer than nothing.")
    return length


def items(name: str, default: str = "") -> list[str]:
    """A comma-separated list."""
    return [item.strip() for item in text(name, default).split(",") if item.strip()]


def path(name: str, default: Path) -> Path:
    return Path(text(name, str(default)))


def secret(name: str, default: str = "") -> str:
    """`NAME`, or the contents of the file `NAME_FILE` names (not both)."""
    file_name = _raw(f"{name}_FILE")
    if file_name is None:
        return text(name, default)
    if _raw(name) is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        return Path(file_name).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {error.strerror}.") from None
