"""Error reports (Sentry) and JSON log lines say what went wrong without a signed link's token,
a mobile or an ID number, and without the request's secrets."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.db import InterfaceError
from django.test import Client, override_settings

from fugong.core.error_reporting import scrub_breadcrumb, scrub_event
from fugong.core.logging import RedactingJsonFormatter

TOKEN = "SeCrEtToKeN-4a7f9c"
MOBILE = "13800138112"
ID_NUMBER = "110101199003074514"


def test_an_error_report_is_scrubbed_like_a_log_line() -> None:
    event = {
        "message": f"Duplicate mobile {MOBILE}",
        "logentry": {"message": "Duplicate %s", "params": [f"+86{MOBILE}"], "formatted": f"Duplicate +86{MOBILE}"},
        "exception": {"values": [{"type": "IntegrityError", "value": f"Key (id_number)=({ID_NUMBER}) exists"}]},
        "request": {
            "url": f"https://fugong.example.cn/volunteers/duty/{TOKEN}/",
            "query_string": f"mobile={MOBILE}",
            "method": "POST",
            "data": {"name": "张三", "mobile": MOBILE},
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Bearer xyz", "Cookie": "sessionid=abc", "User-Agent": "Mozilla/5.0"},
        },
        "user": {"ip_address": "203.0.113.9", "username": "hufenfen"},
        "breadcrumbs": {"values": [{"category": "query", "message": f"SELECT ... WHERE mobile = '{MOBILE}'"}]},
        "tags": {"url": f"/screening/v/{TOKEN}/"},
    }
    scrubbed = scrub_event(event, {})  # type: ignore[arg-type]
    text = json.dumps(scrubbed, ensure_ascii=False)
    assert TOKEN not in text and MOBILE not in text and ID_NUMBER not in text
    assert "sessionid" not in text and "Bearer" not in text and "张三" not in text and "hufenfen" not in text
    # What the report is for is still there: what failed, where, masked as lists mask numbers.
    assert scrubbed["exception"]["values"][0]["value"] == "Key (id_number)=(1101**********4514) exists"  # type: ignore[index]
    assert scrubbed["request"]["url"] == "https://fugong.example.cn/volunteers/duty/…/"  # type: ignore[index]
    assert scrubbed["request"]["headers"] == {"User-Agent": "Mozilla/5.0"}  # type: ignore[index]
    assert "138****8112" in scrubbed["message"]  # type: ignore[typeddict-item]

    crumb = scrub_breadcrumb({"category": "httplib", "data": {"url": f"https://x.cn/delivery/r/{TOKEN}/"}}, {})
    assert TOKEN not in json.dumps(crumb)


def test_a_database_outage_is_not_reported_but_a_refused_query_is() -> None:
    """Every request meets an outage: /readyz and one warning a request say it, not a flood of reports."""
    from django.db import IntegrityError, OperationalError

    outage = {"message": "outage", "exception": {"values": [{"type": "OperationalError"}]}}
    assert scrub_event(outage, {"exc_info": (OperationalError, InterfaceError("closed"), None)}) is None  # type: ignore[arg-type]
    duplicate = {"message": "duplicate", "exception": {"values": [{"type": "IntegrityError"}]}}
    assert scrub_event(duplicate, {"exc_info": (IntegrityError, IntegrityError("dup"), None)}) is not None  # type: ignore[arg-type]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The console handler as LOG_FORMAT=json sets it up, writing to a buffer."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.formatter)
    buffer = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(RedactingJsonFormatter())
    try:
        yield buffer
    finally:
        handler.setStream(previous_stream)
        handler.setFormatter(previous_formatter)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.core.log_urls", DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_json_log_lines_are_redacted_tracebacks_included(json_log: io.StringIO) -> None:
    client = Client(raise_request_exception=False)
    assert client.get(f"/boom/{MOBILE}/").status_code == 500
    assert client.get(f"/volunteers/duty/{TOKEN}/?q={MOBILE}").status_code == 403
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "nothing was logged"
    error = next(line for line in lines if line["level"] == "ERROR" and "exc_info" in line)
    assert error["logger"] == "django.request" and error["message"].startswith("Internal Server Error: /boom/")
    assert "ValueError: duplicate mobile 138****8112, ID 1101**********4514" in error["exc_info"]
    written = json_log.getvalue()
    assert TOKEN not in written and MOBILE not in written and ID_NUMBER not in written
    assert "/volunteers/duty/…" in written


def test_log_format_json_picks_the_json_formatter(settings: object) -> None:
    from fugong import settings as project

    assert project.LOG_FORMATTERS["json"] == "fugong.core.logging.RedactingJsonFormatter"
