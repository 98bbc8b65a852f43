"""Log hygiene: nothing in a log line opens a page or names a person.

A signed link in a URL is a key (a member's duty page, an answer to a call, a driver's run, the
hall's screen, a venue's check-in), so every line keeps the path but not the token. Which paths
are signed is read from the URL patterns (every one with a `token` parameter), so a new signed
link is covered the day it is added. Mobiles and resident ID numbers in a line (a query string, a
database error naming a duplicate) are masked the way lists mask them.

Redaction happens when a record is made (a record factory), so it holds for every logger and every
handler in the process, Django's request and server loggers included; the formatter redacts the
traceback text, which is only made when a record is written. LOG_FORMAT=json writes the same,
redacted, as one JSON object a line; error reports (fugong.core.error_reporting) use `redact` too.
"""

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from .masking import mask_id_number, mask_mobile

MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
PATH_SEGMENT = r"[^/\s?\"'#&]+"

_signed_paths: re.Pattern[str] | None = None
_signed_paths_read = False


def signed_prefixes() -> list[str]:
    """The literal part of every URL pattern before its token, e.g. /volunteers/duty/ and /api/delivery/runs/."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: Iterable[Any], prefix: str) -> Iterable[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                head, found, _rest = route.partition("<")
                if found and re.match(r"(?:str:|slug:)?token>", _rest):
                    yield "/" + head.lstrip("^")

    return sorted(set(walk(get_resolver().url_patterns, "")))


def _read_signed_paths() -> None:
    """Read the signed paths once the URL patterns can be imported (not before the apps are ready)."""
    global _signed_paths, _signed_paths_read
    from django.apps import apps

    if _signed_paths_read or not apps.ready:
        return
    _signed_paths_read = True  # first, so a line logged while the URLs import does not come back here
    prefixes = signed_prefixes()
    if prefixes:
        _signed_paths = re.compile("(" + "|".join(re.escape(p) for p in prefixes) + ")" + PATH_SEGMENT)


def redact(text: str) -> str:
    _read_signed_paths()
    if _signed_paths is not None:
        text = _signed_paths.sub(r"\1…", text)
    text = MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)
    return ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


def _redact_arg(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def redact_record(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact_arg(v) for k, v in record.args.items()}


def install_record_factory() -> None:
    """Redact every record as it is made, whichever logger makes it."""
    make: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(make, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingFormatter(logging.Formatter):
    """The written line, traceback included, redacted once more (exception messages carry values)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def redact_value(value: Any) -> Any:
    """A JSON field redacted: text and containers as they are, anything else (a request in Django's
    `extra`) as its redacted text, since that is how it would be written."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


class RedactingJsonFormatter(JsonFormatter):
    """LOG_FORMAT=json: one JSON object a line (message, level, logger, time, traceback), every
    field redacted before it is encoded (in the encoded text a traceback's line breaks are escapes,
    which would hide a number's start from the patterns)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["asctime", "levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)  # Chinese stays readable
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: redact_value(value) for key, value in super().process_log_record(log_data).items()}
