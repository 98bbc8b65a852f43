"""A database outage answers 503, the friendly page or the API's JSON error, never a traceback;
other database errors keep their 500."""

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.utils import translation

from fugong.accounts.models import User
from fugong.core.middleware import outage_message
from fugong.core.outage import is_outage


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: nothing listens there


def refused() -> OperationalError:
    """What Django raises when PostgreSQL cannot be reached: psycopg's own error, wrapped."""
    try:
        psycopg.connect(f"host=127.0.0.1 port={closed_port()} user=postgres connect_timeout=2")
    except psycopg.OperationalError as cause:
        error = OperationalError(*cause.args)
        error.__cause__ = cause
        return error
    raise AssertionError("something listens on the closed port")


def wrapped(cause: Exception, kind: type[Exception] = OperationalError) -> Exception:
    error = kind(str(cause))
    error.__cause__ = cause
    return error


@contextmanager
def database_raising(make_error: Callable[[], Exception]) -> Iterator[None]:
    """Every query of this thread fails as the database would; the test's own transaction is left
    alone (the patch is undone before it is rolled back)."""
    original = connection.ensure_connection

    def fail() -> None:
        raise make_error()

    connection.ensure_connection = fail  # type: ignore[method-assign]
    try:
        yield
    finally:
        connection.ensure_connection = original  # type: ignore[method-assign]


@pytest.fixture
def signed_in(db: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_user(username="outage", password="x-long-password-1"))
    return client


def test_only_an_unreachable_server_is_an_outage() -> None:
    assert is_outage(refused())
    assert is_outage(wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")))
    assert is_outage(wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")))
    assert is_outage(InterfaceError("connection already closed"))
    assert not is_outage(wrapped(psycopg.errors.DeadlockDetected("deadlock detected")))
    assert not is_outage(wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")))
    assert not is_outage(IntegrityError("duplicate key value violates unique constraint"))
    assert not is_outage(OperationalError("database is locked"))  # SQLite, busy: not away


def test_a_page_answers_503_with_the_friendly_page(signed_in: Client, caplog: pytest.LogCaptureFixture) -> None:
    with database_raising(refused), caplog.at_level(logging.WARNING):
        response = signed_in.get("/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert 'id="database-outage"' in page and translation.gettext("The system is busy for a moment") in page
    assert "Traceback" not in page and "OperationalError" not in page
    # One warning for the request, no traceback, nothing logged as an error.
    outage_lines = [r for r in caplog.records if r.name == "fugong.outage"]
    assert len(outage_lines) == 1 and outage_lines[0].levelno == logging.WARNING and not outage_lines[0].exc_info
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_api_answers_503_json_in_the_callers_language(db: Any) -> None:
    client = Client(raise_request_exception=False)
    for language in ("en", "zh-hans"):
        with database_raising(refused):
            response = client.get("/api/jobs/1", HTTP_AUTHORIZATION="Bearer x", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 503
        assert response["Retry-After"].isdigit()
        with translation.override(language):
            assert response.json() == {"message": outage_message()}


def test_a_connection_lost_mid_request_is_an_outage_too(signed_in: Client) -> None:
    lost = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    with database_raising(lambda: wrapped(lost)):
        assert signed_in.get("/").status_code == 503
    with database_raising(lambda: InterfaceError("connection already closed")):
        assert signed_in.get("/").status_code == 503


class QueryingMiddleware:
    """Stands for a middleware that reads the database before the view (a session, a user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        User.objects.exists()
        return self.get_response(request)


def test_an_outage_met_outside_a_view_answers_the_same(db: Any, settings: Any) -> None:
    client = Client(raise_request_exception=False)
    middleware = [*settings.MIDDLEWARE, "tests.core.test_outage.QueryingMiddleware"]
    with override_settings(MIDDLEWARE=middleware), database_raising(refused):
        page = client.get("/healthz")
        api = client.get("/api/jobs/1")
    assert page.status_code == 503 and 'id="database-outage"' in page.content.decode()
    assert api.status_code == 503 and api.json() == {"message": outage_message()}


@pytest.mark.parametrize(
    "error",
    [
        lambda: IntegrityError("duplicate key value violates unique constraint"),
        lambda: wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
    ],
    ids=["integrity", "deadlock"],
)
def test_other_database_errors_are_still_a_500(signed_in: Client, error: Callable[[], Exception]) -> None:
    with database_raising(error):
        page = signed_in.get("/")
        api = signed_in.get("/api/jobs/1")
    assert page.status_code == 500 and "database-outage" not in page.content.decode()
    assert api.status_code == 500
