"""No log line opens a signed link or names a person: tokens, mobiles and ID numbers are redacted
in every logger, on every 4xx and 5xx, tracebacks included."""

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from fugong.core.logging import signed_prefixes

TOKEN = "SeCrEtToKeN-4a7f9c"
MOBILE = "13800138112"
ID_NUMBER = "110101199003074514"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler writes, as the server's log would hold it."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.formatter)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_every_signed_link_is_found_in_the_url_patterns() -> None:
    """Read from the URL patterns, so a signed link added tomorrow is redacted without a change here."""
    assert {
        "/volunteers/answer/",
        "/volunteers/duty/",
        "/delivery/r/",
        "/screening/v/",
        "/power/screen/",
        "/api/volunteers/answers/",
        "/api/delivery/runs/",
        "/api/screening/visit/",
    } <= set(signed_prefixes())


@pytest.mark.django_db
def test_no_token_or_full_number_is_logged_on_4xx(log_output: io.StringIO) -> None:
    client = Client()
    for prefix in signed_prefixes():
        status = client.get(f"{prefix}{TOKEN}/?q={MOBILE}").status_code
        assert status >= 400, prefix
    client.get(f"/directory/sites/{MOBILE}/{ID_NUMBER}/")
    # The development server's request line carries the query string.
    request_line = f"GET /volunteers/duty/{TOKEN}/?q={MOBILE} HTTP/1.1"
    logging.getLogger("django.server").warning('"%s" %s %s', request_line, 404, 0)
    written = log_output.getvalue()
    assert "/volunteers/duty/" in written and "/api/delivery/runs/" in written and "138****8112" in written
    assert TOKEN not in written and MOBILE not in written and ID_NUMBER not in written


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.core.log_urls")
def test_no_full_number_is_logged_with_a_500s_traceback(log_output: io.StringIO) -> None:
    response = Client(raise_request_exception=False).get(f"/boom/{MOBILE}/")
    assert response.status_code == 500
    written = log_output.getvalue()
    assert "Internal Server Error: /boom/138****8112/" in written and "Traceback" in written
    assert "ValueError: duplicate mobile 138****8112, ID 1101**********4514" in written
    assert MOBILE not in written and ID_NUMBER not in written
